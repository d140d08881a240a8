// The settings file through electron-store (schema-checked on every read and write), behind the same
// JsonStore interface the CLI's JSON file uses, in the same place, so both see one set of settings.
// A file that cannot be understood is moved aside and replaced by defaults, with a notice.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import ElectronStore, { type Schema } from 'electron-store';
import type { NoticeDraft } from '../app/shell/notices.js';
import {
  applySettingsChange,
  defaultAppSettings,
  loadAppSettings,
  saveAppSettings,
  storedSettingsJsonSchema,
  type AppSettings,
  type SettingsChange,
} from '../app/settings/app-settings.js';
import type { JsonStore } from '../app/settings/json-file.js';
import { AppError, messageOf } from '../app/util/errors.js';
import type { Logger } from './log.js';

type Doc = Record<string, unknown>;

/** electron-store as a JsonStore. Opened lazily: opening reads (and validates) the file. */
export class ElectronSettingsFile implements JsonStore {
  readonly location: string;
  private store?: ElectronStore<Doc>;

  constructor(
    private readonly dir: string,
    private readonly name = 'settings',
  ) {
    this.location = join(dir, `${name}.json`);
  }

  async read(): Promise<unknown> {
    if (!existsSync(this.location)) return undefined;
    try {
      // electron-store reads a file holding an array or null as an empty store; that is damage too.
      const raw: unknown = JSON.parse(await readFile(this.location, 'utf8'));
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        throw new Error('it does not hold an object');
      // Every read goes to the file (no watcher, no cache): the CLI may have changed it.
      return structuredClone(this.open().store);
    } catch (err) {
      this.store = undefined;
      throw new AppError('CONFIG_UNREADABLE', `${this.location} cannot be read: ${messageOf(err)}`);
    }
  }

  async write(value: unknown): Promise<void> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new AppError('INTERNAL', 'settings must be an object');
    }
    this.open().store = { ...value };
  }

  /** Moves the file aside (kept for the user) and forgets it; returns where it went. */
  async quarantine(now: Date): Promise<string | undefined> {
    this.store = undefined;
    if (!existsSync(this.location)) return undefined;
    const stamp = now.toISOString().replace(/[:.]/g, '-');
    const backup = join(this.dir, `${this.name}.corrupt-${stamp}.json`);
    await rename(this.location, backup);
    return backup;
  }

  private open(): ElectronStore<Doc> {
    if (this.store) return this.store;
    const { properties } = storedSettingsJsonSchema();
    this.store = new ElectronStore<Doc>({
      cwd: this.dir,
      name: this.name,
      // zod wrote these as draft-07 JSON Schema, the dialect electron-store's Ajv reads.
      schema: properties as Schema<Doc>,
      // A damaged file is ours to back up first: never let the library clear it.
      clearInvalidConfig: false,
      watch: false,
    });
    return this.store;
  }
}

/** Loads the settings; a file that cannot be understood is backed up and replaced by the defaults. */
export async function loadOrReset(
  file: ElectronSettingsFile,
  log: Logger,
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
