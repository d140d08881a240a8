// The settings every front end runs on: loaded (or, when the file cannot be understood, moved aside and
// replaced by the defaults, with a notice), kept in memory and saved on every accepted change. The
// file is an adapter: electron-store in the app (main/settings-store.ts), a plain JSON file elsewhere.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import {
  applySettingsChange,
  defaultAppSettings,
  loadAppSettings,
  saveAppSettings,
  type AppSettings,
  type SettingsChange,
} from '../settings/app-settings.js';
import { jsonFileStore, type JsonStore } from '../settings/json-file.js';
import type { ServiceLogger } from '../service/types.js';
import type { NoticeDraft } from '../shell/notices.js';
import { AppError } from '../util/errors.js';

/** Where the settings live, and how a file that cannot be understood is put aside. */
export interface SettingsFile extends JsonStore {
  /** Moves the file aside (kept for the user) and forgets it; returns where it went. */
  quarantine(now: Date): Promise<string | undefined>;
}

/** Renames `<dir>/<name>.json` to `<dir>/<name>.corrupt-<time>.json`; undefined when there is no file. */
export async function quarantineFile(location: string, now: Date): Promise<string | undefined> {
  if (!existsSync(location)) return undefined;
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const backup = join(dirname(location), `${basename(location, extname(location))}.corrupt-${stamp}.json`);
  await rename(location, backup);
  return backup;
}

/** The settings as a plain JSON file (the CLI's format, in the same place): for front ends without Electron. */
export function settingsFileAt(path: string): SettingsFile {
  return { ...jsonFileStore(path), quarantine: (now) => quarantineFile(path, now) };
}

/** Loads the settings; a file that cannot be understood is backed up and replaced by the defaults. */
export async function loadOrReset(
  file: SettingsFile,
  log: ServiceLogger,
  opts: { env?: NodeJS.ProcessEnv; now?: () => Date } = {},
): Promise<{ settings: AppSettings; notice?: NoticeDraft }> {
  const env = opts.env ?? process.env;
  try {
    const loaded = await loadAppSettings(file, env);
    if (loaded.migratedFrom !== undefined) {
      log.info('settings migrated', { from: loaded.migratedFrom, file: file.location });
    }
    return { settings: loaded.settings };
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'CONFIG_UNREADABLE') throw err;
    const backup = await file.quarantine((opts.now ?? (() => new Date()))());
    const settings = defaultAppSettings(env);
    await saveAppSettings(file, settings);
    log.warn('settings file reset to defaults', { reason: err.message, backup });
    return {
      settings,
      notice: {
        kind: 'settings-reset',
        level: 'warning',
        title: 'Settings were reset',
        message:
          `The settings file could not be read (${err.message}), so the defaults are in use.` +
          (backup ? ` The old file was kept as ${backup}.` : ''),
      },
    };
  }
}

/** The settings in memory, saved on every accepted change; listeners apply what changed. */
export class SettingsService extends EventEmitter<{ changed: [AppSettings, AppSettings] }> {
  constructor(
    private readonly file: JsonStore,
    private settings: AppSettings,
  ) {
    super();
  }

  get current(): AppSettings {
    return structuredClone(this.settings);
  }

  /** Validates and saves; an invalid change throws INVALID_INPUT and nothing changes. */
  async update(change: SettingsChange): Promise<AppSettings> {
    const next = applySettingsChange(this.settings, change);
    await saveAppSettings(this.file, next);
    const prev = this.settings;
    this.settings = next;
    this.emit('changed', structuredClone(next), prev);
    return structuredClone(next);
  }
}
