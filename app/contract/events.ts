// Every main->renderer event, defined once. Main validates each payload before sending it.
import type { z } from 'zod';
import { appSettingsSchema } from '../settings/app-settings.js';
import type { EventName } from './names.js';
import {
  cacheChangeSchema,
  cacheProgressSchema,
  engineStepSchema,
  keeperEventSchema,
  mirrorStatusSchema,
  noticeSchema,
  operationSchema,
  progressSchema,
  upstreamStateSchema,
} from './values.js';

export interface EventDef<P extends z.ZodType = z.ZodType> {
  payload: P;
  summary: string;
}

export const events = {
  'mirror.status': {
    payload: mirrorStatusSchema,
    summary: 'The mirror status changed in a way a person would notice.',
  },
  'mirror.operation': {
    payload: operationSchema,
    summary: 'An operation (up, down, restart, verify) started, or null when it ended.',
  },
  'mirror.progress': {
    payload: progressSchema,
    summary: 'Progress of the running operation: image pull progress, or a verify step.',
  },
  'mirror.keeper': {
    payload: keeperEventSchema,
    summary:
      'The app acted by itself: switched the mirror to offline or proxy mode, brought it back after it was stopped or removed behind its back, or failed to.',
  },
  'settings.changed': { payload: appSettingsSchema, summary: 'The settings were saved.' },
  notice: { payload: noticeSchema, summary: 'Something the user should know, e.g. "settings were reset".' },
  'cache.progress': {
    payload: cacheProgressSchema,
    summary: 'Progress of a prune (stop, remove, garbage-collect, restart) or a reset.',
  },
  'cache.changed': {
    payload: cacheChangeSchema,
    summary:
      'What is cached changed (a pull, a prune, a reset, a new size sample): the UI reads the report again.',
  },
  'upstream.status': {
    payload: upstreamStateSchema,
    summary: 'The upstream became reachable or unreachable.',
  },
  'engines.step': {
    payload: engineStepSchema,
    summary: 'One step of configuring or undoing an engine, for a person to read.',
  },
} satisfies Record<EventName, EventDef>;

export type Events = typeof events;
const _noUnlistedEvents: Exclude<keyof Events, EventName> extends never ? true : never = true;
void _noUnlistedEvents;

export type EventPayload<E extends EventName> = z.output<Events[E]['payload']>;

/** The same definitions typed per name, for generic code over an event name. */
export type EventSchemas = { [E in EventName]: EventDef<z.ZodType<EventPayload<E>>> };
export const eventSchemas: EventSchemas = events;
