// The settings document, one version at a time. A migration is frozen once released: it states what
// its target version meant, so later changes to defaults never change what an old file turns into.
import { AppError } from '../util/errors.js';

export type SettingsDocument = Record<string, unknown>;
export type Migration = (doc: SettingsDocument) => SettingsDocument;

/**
 * Version 1: `{version: 1, mirror}` as written by the CLI. Version 2 adds the app's own preferences.
 * Version 3: the default image became registry:3, so a file from before says which image it ran; and
 * `registries`, the registries besides Docker Hub with mirrors of their own (app/registries), starts empty.
 */
export const CURRENT_SETTINGS_VERSION = 3;
export const FIRST_SETTINGS_VERSION = 1;

/** `MIGRATIONS[n]` turns a version-n document into version n+1. */
export const MIGRATIONS: Readonly<Record<number, Migration>> = {
  1: fromV1,
  2: fromV2,
};

function fromV1(doc: SettingsDocument): SettingsDocument {
  // The CLI before version 2 kept unknown keys and rewrote `version: 1`, so a v1 file may already hold
  // app preferences a v2 app saved: keep each one that has the right type.
  const app = isRecord(doc.app) ? doc.app : {};
  const bool = (key: string, fallback: boolean) => (typeof app[key] === 'boolean' ? app[key] : fallback);
  const quota = app.quotaBytes;
  const engines = app.enginesConfigured;
  return {
    ...doc,
    version: 2,
    app: {
      startAtLogin: bool('startAtLogin', false),
      startMirrorOnLaunch: bool('startMirrorOnLaunch', false),
      // 64 MiB: version 2's smallest quota.
      quotaBytes: Number.isSafeInteger(quota) && (quota as number) >= 67_108_864 ? quota : null,
      enginesConfigured:
        Array.isArray(engines) && engines.every((e) => typeof e === 'string' && e.length > 0) ? engines : [],
      quitStopsMirror: bool('quitStopsMirror', false),
    },
  };
}

function fromV2(doc: SettingsDocument): SettingsDocument {
  // Versions 1 and 2 ran registry:2 unless the file named another image: an install keeps the registry
  // it had (registry:3 is the default for new installs only; switching is one settings change).
  const mirror = isRecord(doc.mirror) ? doc.mirror : {};
  return {
    ...doc,
    version: 3,
    mirror: { ...mirror, image: typeof mirror.image === 'string' ? mirror.image : 'registry:2' },
    registries: Array.isArray(doc.registries) ? doc.registries : [],
  };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The version a stored document claims. Files from before versions existed count as version 1. */
export function versionOf(doc: SettingsDocument): number {
  const v = doc.version;
  if (v === undefined) return FIRST_SETTINGS_VERSION;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < FIRST_SETTINGS_VERSION) {
    throw new AppError('CONFIG_UNREADABLE', `the settings file has an invalid version ${JSON.stringify(v)}`);
  }
  return v;
}

/** Brings a stored document to the current version; unknown keys are kept. Pure. */
export function migrateDocument(raw: unknown): { doc: SettingsDocument; from: number } {
  if (!isRecord(raw)) throw new AppError('CONFIG_UNREADABLE', 'the settings file does not hold an object');
  const from = versionOf(raw);
  if (from > CURRENT_SETTINGS_VERSION) {
    throw new AppError(
      'CONFIG_UNREADABLE',
      `the settings file was written by a newer version (settings version ${from}; this one knows up to ${CURRENT_SETTINGS_VERSION})`,
    );
  }
  let doc: SettingsDocument = { ...raw, version: from };
  for (let v = from; v < CURRENT_SETTINGS_VERSION; v++) {
    const step = MIGRATIONS[v];
    if (!step) throw new AppError('INTERNAL', `no settings migration from version ${v}`);
    doc = step(doc);
    if (doc.version !== v + 1)
      throw new AppError('INTERNAL', `settings migration ${v} did not reach ${v + 1}`);
  }
  return { doc, from };
}
