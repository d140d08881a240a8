// Loads and saves the mirror's settings: defaults filled in, every value validated, bad input refused.
import { AppError } from '../util/errors.js';
import {
  defaultMirrorSettings,
  describeIssues,
  mirrorSettingsSchema,
  type MirrorSettings,
} from '../mirror/settings.js';
import type { JsonStore } from './json-file.js';

export const SETTINGS_VERSION = 1;

export interface StoredSettings {
  version: number;
  mirror: MirrorSettings;
}

export async function loadMirrorSettings(store: JsonStore, env = process.env): Promise<MirrorSettings> {
  const raw = (await store.read()) as Partial<StoredSettings> | undefined;
  const merged = { ...defaultMirrorSettings(env), ...(raw?.mirror ?? {}) };
  const parsed = mirrorSettingsSchema.safeParse(merged);
  if (!parsed.success) {
    throw new AppError(
      'CONFIG_UNREADABLE',
      `settings in ${store.location} are invalid: ${describeIssues(parsed.error)}`,
    );
  }
  return parsed.data;
}

/** The current settings with a change applied, validated; throws (and nothing changes) when invalid. */
export function applyChange(current: MirrorSettings, change: Partial<MirrorSettings>): MirrorSettings {
  const parsed = mirrorSettingsSchema.safeParse({ ...current, ...change });
  if (!parsed.success) throw new AppError('INVALID_INPUT', describeIssues(parsed.error));
  return parsed.data;
}

export async function saveMirrorSettings(store: JsonStore, settings: MirrorSettings): Promise<void> {
  const raw = ((await store.read()) as Record<string, unknown> | undefined) ?? {};
  await store.write({ ...raw, version: SETTINGS_VERSION, mirror: settings });
}
