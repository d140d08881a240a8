// Every renderer->main call, defined once: input and output schemas plus what it does. Main validates
// the input and the output against these; the preload, the renderer and the test bridge share the types.
// A feature adds its calls here (and its name in names.ts): the compiler then demands a handler in main.
import { z } from 'zod';
import { mirrorSettingsSchema } from '../mirror/settings.js';
import { appSettingsSchema, settingsChangeSchema } from '../settings/app-settings.js';
import type { CallName } from './names.js';
import {
  cacheReportSchema,
  configureOutcomeSchema,
  engineNameSchema,
  enginesListSchema,
  historySampleSchema,
  prunePlanViewSchema,
  pruneResultSchema,
  pruneSelectionSchema,
  registryMachineInputSchema,
  registryMachineResultSchema,
  resetResultSchema,
  tagSizeSchema,
  undoOutcomeSchema,
  upstreamStateSchema,
  credentialsInputSchema,
  credentialsStateSchema,
  loginItemStateSchema,
  mirrorStatusSchema,
  noticeSchema,
  pruneItemSchema,
  upActionSchema,
  verifyReportSchema,
} from './values.js';

export interface CallDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  summary: string;
}

function call<I extends z.ZodType, O extends z.ZodType>(input: I, output: O, summary: string): CallDef<I, O> {
  return { input, output, summary };
}

const none = z.undefined();

export const calls = {
  'mirror.status': call(none, mirrorStatusSchema, 'Checks the mirror now and returns its status.'),
  'mirror.up': call(
    none,
    z.object({ action: upActionSchema, status: mirrorStatusSchema }),
    'Creates or updates the mirror to match the settings and starts it; pull progress comes as mirror.progress events.',
  ),
  'mirror.down': call(none, z.object({ stopped: z.boolean() }), 'Stops the mirror; its cache stays.'),
  'mirror.restart': call(none, mirrorStatusSchema, 'Restarts the mirror container as it is.'),
  'mirror.verify': call(
    z.object({ image: mirrorSettingsSchema.shape.image.optional() }).optional(),
    verifyReportSchema,
    'Pulls an image through the engine and proves the cache served it; steps come as mirror.progress events.',
  ),
  'mirror.logs': call(
    z.object({ tail: z.number().int().min(1).max(10_000).optional() }).optional(),
    z.object({ text: z.string() }),
    "The registry's last log lines.",
  ),
  'settings.get': call(none, appSettingsSchema, 'The settings (never credentials).'),
  'settings.update': call(
    settingsChangeSchema,
    appSettingsSchema,
    'Validates and saves a change; an invalid one returns INVALID_INPUT with field issues and changes nothing.',
  ),
  'credentials.get': call(
    none,
    credentialsStateSchema,
    'Whether upstream credentials are set, and the user name.',
  ),
  'credentials.set': call(
    credentialsInputSchema,
    credentialsStateSchema,
    'Stores upstream credentials encrypted by the OS keychain; they apply when the mirror is next brought up.',
  ),
  'credentials.clear': call(none, credentialsStateSchema, 'Forgets the upstream credentials.'),
  'app.loginItem.get': call(
    none,
    loginItemStateSchema,
    'Whether the app opens at login, as macOS reports it.',
  ),
  'app.loginItem.set': call(
    z.object({ openAtLogin: z.boolean() }),
    loginItemStateSchema,
    'Turns opening at login on or off; the result may say macOS wants approval.',
  ),
  'app.openDashboard': call(none, z.null(), 'Opens (or focuses) the dashboard as a normal window.'),
  'app.quit': call(
    z.object({ stopMirror: z.boolean().optional() }).optional(),
    z.null(),
    'Quits the app; the mirror keeps running unless stopMirror (or the quitStopsMirror setting) says otherwise.',
  ),
  'notices.list': call(none, z.array(noticeSchema), 'Notices not dismissed yet, e.g. "settings were reset".'),
  'notices.dismiss': call(
    // Ids are `<kind>-<n>` (app/core/notices.ts): anything else is not one of ours.
    z.object({ id: z.string().regex(/^[a-z-]{1,40}-\d{1,9}$/, 'not a notice id') }),
    z.array(noticeSchema),
    'Dismisses one notice.',
  ),
  'cache.report': call(
    none,
    cacheReportSchema,
    'What is cached: every repository with its tags, sizes, reclaimable bytes, last pull and pulls; totals, free space, hit ratio.',
  ),
  'cache.tags': call(
    z.object({ repository: pruneItemSchema.shape.repo }),
    z.object({ repository: z.string(), tags: z.array(tagSizeSchema) }),
    "The size of each tag's image in one repository (read on demand: it opens the manifests).",
  ),
  'cache.plan': call(
    z.object({ selection: pruneSelectionSchema }),
    prunePlanViewSchema,
    'Plans a prune and returns its preview (what goes, the exact bytes freed); main keeps the plan by id.',
  ),
  'cache.prune': call(
    z.object({ planId: z.uuid() }),
    pruneResultSchema,
    'Runs a plan made by cache.plan (only by its id): stop, remove, garbage-collect, restart; steps come as cache.progress.',
  ),
  'cache.reset': call(
    z.object({ confirmation: z.string().max(100) }),
    resetResultSchema,
    `Deletes the whole cache and starts an empty mirror; the confirmation must be the exact phrase; steps come as cache.progress.`,
  ),
  'cache.history': call(
    none,
    z.array(historySampleSchema),
    'The cache size over time, sampled by the app (oldest first).',
  ),
  'upstream.status': call(
    z.object({ refresh: z.boolean().optional() }).optional(),
    upstreamStateSchema,
    'Whether the upstream (Docker Hub) answers; checked again when asked to refresh or when the last check is old.',
  ),
  'engines.list': call(
    none,
    enginesListSchema,
    'The Docker engines found on this machine (and docker-machine VMs), each with whether it uses the mirror.',
  ),
  'engines.configure': call(
    z.object({ engine: engineNameSchema }),
    configureOutcomeSchema,
    'Points an engine at the mirror: edit its configuration, apply, verify through the engine; steps come as engines.step.',
  ),
  'engines.undo': call(
    z.object({ engine: engineNameSchema }),
    undoOutcomeSchema,
    'Reverts exactly what engines.configure changed on that engine, applies and verifies.',
  ),
  'machine.createRegistry': call(
    registryMachineInputSchema,
    registryMachineResultSchema,
    'Creates the docker-machine VM that runs the mirror for other machines (removing an existing one only when told to).',
  ),
} satisfies Record<CallName, CallDef>;

export type Calls = typeof calls;
// names.ts lists exactly the calls defined here (the other direction is the `satisfies` above).
const _noUnlistedCalls: Exclude<keyof Calls, CallName> extends never ? true : never = true;
void _noUnlistedCalls;

/** What the renderer passes. */
export type CallInput<N extends CallName> = z.input<Calls[N]['input']>;
/** What a handler in main receives, after validation. */
export type CallParsedInput<N extends CallName> = z.output<Calls[N]['input']>;
/** What the renderer gets back inside `{ok: true, value}`. */
export type CallOutput<N extends CallName> = z.output<Calls[N]['output']>;

/** The same definitions typed per name, so generic code over a name keeps that call's own types. */
export type CallSchemas = {
  [N in CallName]: CallDef<z.ZodType<CallParsedInput<N>, CallInput<N>>, z.ZodType<CallOutput<N>>>;
};
export const callSchemas: CallSchemas = calls;
