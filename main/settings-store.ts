// The settings file through electron-store (schema-checked on every read and write), behind the same
// JsonStore interface the CLI's JSON file uses, in the same place, so both see one set of settings.
// What is done with it (load or reset, the settings service) is the core's: app/core/settings.ts.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ElectronStore, { type Schema } from 'electron-store';
import { storedSettingsJsonSchema } from '../app/settings/app-settings.js';
import { quarantineFile, type SettingsFile } from '../app/core/settings.js';
import { AppError, messageOf } from '../app/util/errors.js';

type Doc = Record<string, unknown>;

/** electron-store as a JsonStore. Opened lazily: opening reads (and validates) the file. */
export class ElectronSettingsFile implements SettingsFile {
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
    return quarantineFile(this.location, now);
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
