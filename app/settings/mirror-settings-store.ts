// Loads and saves the mirror's settings: defaults filled in, every value validated, bad input refused.
import { AppError } from '../util/errors.js';
import {
  defaultMirrorSettings,
  describeIssues,
  mirrorSettingsSchema,
  type MirrorSettings,
} from '../mirror/settings.js';
import type { JsonStore } from './json-file.js';
import { CURRENT_SETTINGS_VERSION, migrateDocument } from './migrations.js';

/** The version saveMirrorSettings writes: the current one, so the app's preferences in the file survive. */
export const SETTINGS_VERSION = CURRENT_SETTINGS_VERSION;

export interface StoredSettings {
  version: number;
  mirror: MirrorSettings;
}

export async function loadMirrorSettings(store: JsonStore, env = process.env): Promise<MirrorSettings> {
  const stored = await store.read();
  // Migrated as the app migrates it: a file from before registry:3 became the default keeps registry:2.
  const raw = stored === undefined ? undefined : (migrateDocument(stored).doc as Partial<StoredSettings>);
  const merged = { ...defaultMirrorSettings(env), ...(raw?.mirror ?? {}) };
  const parsed = mirrorSettingsSchema.safeParse(merged);
  if (!parsed.success) {
    throw new AppError(
      'CONFIG_UNREADABLE',
      `settings in ${store.location} are invalid: ${describeIssues(parsed.error, 'file')}`,
    );
  }
  return parsed.data;
}

/**
 * The current settings with a change from command-line flags applied, validated; throws (and nothing
 * changes) when invalid, naming each setting by its flag (--port, --data-dir).
 */
export function applyChange(current: MirrorSettings, change: Partial<MirrorSettings>): MirrorSettings {
  const parsed = mirrorSettingsSchema.safeParse({ ...current, ...change });
  if (!parsed.success) throw new AppError('INVALID_INPUT', describeIssues(parsed.error, 'flags'));
  return parsed.data;
}

export async function saveMirrorSettings(store: JsonStore, settings: MirrorSettings): Promise<void> {
  // Migrated first: writing the current version number over an older document would skip its
  // migration and leave the app's part missing. A newer document is refused rather than downgraded.
  const { doc } = migrateDocument((await store.read()) ?? {});
  await store.write({ ...doc, version: SETTINGS_VERSION, mirror: settings });
}
