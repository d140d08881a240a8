// The names of every renderer->main call and main->renderer event, and their IPC channels.
// Kept free of zod so the sandboxed preload bundles these few strings and nothing else;
// calls.ts and events.ts are checked (at compile time) to define exactly these names.

export const CALL_NAMES = [
  'mirror.status',
  'mirror.up',
  'mirror.down',
  'mirror.restart',
  'mirror.verify',
  'mirror.logs',
  'settings.get',
  'settings.update',
  'credentials.get',
  'credentials.set',
  'credentials.clear',
  'app.loginItem.get',
  'app.loginItem.set',
  'app.openDashboard',
  'app.quit',
  'notices.list',
  'notices.dismiss',
  'cache.report',
  'cache.tags',
  'cache.plan',
  'cache.prune',
  'cache.reset',
  'cache.history',
  'upstream.status',
  'engines.list',
  'engines.configure',
  'engines.undo',
  'machine.createRegistry',
] as const;

export const EVENT_NAMES = [
  'mirror.status',
  'mirror.operation',
  'mirror.progress',
  'mirror.keeper',
  'settings.changed',
  'notice',
  'cache.progress',
  'cache.changed',
  'upstream.status',
  'engines.step',
] as const;

export type CallName = (typeof CALL_NAMES)[number];
export type EventName = (typeof EVENT_NAMES)[number];

const CALL_PREFIX = 'drpc:call:';
const EVENT_PREFIX = 'drpc:event:';

export function callChannel(name: CallName): string {
  return CALL_PREFIX + name;
}

export function eventChannel(name: EventName): string {
  return EVENT_PREFIX + name;
}

export function isCallName(value: unknown): value is CallName {
  return typeof value === 'string' && (CALL_NAMES as readonly string[]).includes(value);
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && (EVENT_NAMES as readonly string[]).includes(value);
}
