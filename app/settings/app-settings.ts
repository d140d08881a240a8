// The app's settings: the mirror's settings plus the menu-bar app's own preferences, versioned.
// Stored behind the same JsonStore the CLI uses (the app backs it with electron-store), in the same file.
import { z } from 'zod';
import { defaultMirrorSettings, describeIssues, mirrorSettingsSchema } from '../mirror/settings.js';
import { AppError } from '../util/errors.js';
import type { JsonStore } from './json-file.js';
import { CURRENT_SETTINGS_VERSION, migrateDocument, type SettingsDocument } from './migrations.js';

export { CURRENT_SETTINGS_VERSION } from './migrations.js';

/** Below this a quota is surely a typo (bytes, not megabytes). */
export const MIN_QUOTA_BYTES = 64 * 1024 * 1024;

export const appPreferencesSchema = z.object({
  startAtLogin: z.boolean(),
  /** start the mirror when the app launches, if it is not running */
  startMirrorOnLaunch: z.boolean(),
  /** warn when the cache grows past this many bytes; null: no quota */
  quotaBytes: z
    .number({ error: 'quota must be a number of bytes' })
    .int('quota must be a whole number of bytes')
    .min(MIN_QUOTA_BYTES, 'quota must be at least 64 MiB')
    .max(Number.MAX_SAFE_INTEGER)
    .nullable(),
  /** engines the app configured to use the mirror (recorded by the engine configuration feature) */
  enginesConfigured: z.array(z.string().min(1).max(200)).max(64),
  /** quitting the app also stops the mirror; by default the mirror keeps running */
  quitStopsMirror: z.boolean(),
});
export type AppPreferences = z.infer<typeof appPreferencesSchema>;

export const appSettingsSchema = z.object({
  version: z.literal(CURRENT_SETTINGS_VERSION),
  mirror: mirrorSettingsSchema,
  app: appPreferencesSchema,
});
export type AppSettings = z.infer<typeof appSettingsSchema>;

/** A change the user may make. enginesConfigured is recorded by the app, not typed in. */
export const settingsChangeSchema = z.strictObject({
  mirror: mirrorSettingsSchema.partial().strict().optional(),
  app: appPreferencesSchema.omit({ enginesConfigured: true }).partial().strict().optional(),
});
export type SettingsChange = z.infer<typeof settingsChangeSchema>;

export function defaultAppPreferences(): AppPreferences {
  return {
    startAtLogin: false,
    startMirrorOnLaunch: false,
    quotaBytes: null,
    enginesConfigured: [],
    quitStopsMirror: false,
  };
}

export function defaultAppSettings(env: NodeJS.ProcessEnv = process.env): AppSettings {
  return {
    version: CURRENT_SETTINGS_VERSION,
    mirror: defaultMirrorSettings(env),
    app: defaultAppPreferences(),
  };
}

/** The settings with a change applied and validated; throws INVALID_INPUT (with field issues) and changes nothing. */
export function applySettingsChange(current: AppSettings, change: SettingsChange): AppSettings {
  const parsed = appSettingsSchema.safeParse({
    ...current,
    mirror: { ...current.mirror, ...change.mirror },
    app: { ...current.app, ...change.app },
  });
  if (!parsed.success) {
    throw new AppError('INVALID_INPUT', describeIssues(parsed.error), {
      issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    });
  }
  return parsed.data;
}

export interface LoadedSettings {
  settings: AppSettings;
  /** the version the file had when it was older than the current one */
  migratedFrom?: number;
  /** there was no file: defaults were written */
  created: boolean;
}

/**
 * Reads, migrates and validates the stored settings; writes them back when they were migrated or
 * created. A file that cannot be understood throws CONFIG_UNREADABLE and is left untouched: the
 * caller decides (the app backs it up and starts over, the CLI reports it).
 */
export async function loadAppSettings(store: JsonStore, env = process.env): Promise<LoadedSettings> {
  const raw = await store.read();
  if (raw === undefined) {
    const settings = defaultAppSettings(env);
    await store.write(settings);
    return { settings, created: true };
  }
  const { doc, from } = migrateDocument(raw);
  const mirror = doc.mirror;
  const parsed = appSettingsSchema.safeParse({
    ...doc,
    // Like the CLI: missing mirror settings take their defaults.
    mirror: {
      ...defaultMirrorSettings(env),
      ...(typeof mirror === 'object' && mirror !== null ? mirror : {}),
    },
  });
  if (!parsed.success) {
    throw new AppError(
      'CONFIG_UNREADABLE',
      `settings in ${store.location} are invalid: ${describeIssues(parsed.error, 'file')}`,
    );
  }
  const settings = parsed.data;
  if (from < CURRENT_SETTINGS_VERSION) await store.write(withUnknownKeys(doc, settings));
  return { settings, ...(from < CURRENT_SETTINGS_VERSION ? { migratedFrom: from } : {}), created: false };
}

export async function saveAppSettings(store: JsonStore, settings: AppSettings): Promise<void> {
  const parsed = appSettingsSchema.parse(settings);
  const raw = await store.read();
  await store.write(
    withUnknownKeys(typeof raw === 'object' && raw !== null ? (raw as SettingsDocument) : {}, parsed),
  );
}

// Keys other versions or tools wrote stay in the file.
function withUnknownKeys(doc: SettingsDocument, settings: AppSettings): SettingsDocument {
  return { ...doc, ...settings };
}

/**
 * The JSON schema electron-store validates the file with: every known field typed, only `version`
 * required, so documents of every version still open and are then migrated. zod checks the rest.
 */
export function storedSettingsJsonSchema(): { properties: Record<string, unknown>; required: string[] } {
  const stored = z.looseObject({
    version: z.number().int().min(1),
    mirror: mirrorSettingsSchema.partial().optional(),
    app: appPreferencesSchema.partial().optional(),
  });
  const schema = z.toJSONSchema(stored, { target: 'draft-7', io: 'input', unrepresentable: 'any' });
  const properties = schema.properties;
  if (!properties) throw new AppError('INTERNAL', 'settings JSON schema has no properties');
  return { properties: properties as Record<string, unknown>, required: schema.required ?? [] };
}
