// A JSON file behind a tiny storage interface: the CLI uses it; the Electron app backs the same
// interface with electron-store. A file we cannot parse is reported and never overwritten.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../mirror/files.js';
import { AppError, messageOf } from '../util/errors.js';

export interface JsonStore {
  read(): Promise<unknown>;
  write(value: unknown): Promise<void>;
  readonly location: string;
}

export function jsonFileStore(path: string): JsonStore {
  return {
    location: path,
    async read() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new AppError('CONFIG_UNREADABLE', `cannot read ${path}: ${messageOf(err)}`);
      }
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        throw new AppError(
          'CONFIG_UNREADABLE',
          `${path} is not valid JSON (${messageOf(err)}); it was left as it is: fix or remove it`,
        );
      }
    },
    async write(value) {
      await mkdir(dirname(path), { recursive: true });
      await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
    },
  };
}

/** A store in memory, for tests and for the browser bridge's throwaway sessions. */
export function memoryStore(initial?: unknown): JsonStore {
  let value = initial === undefined ? undefined : structuredClone(initial);
  return {
    location: 'memory',
    async read() {
      return value === undefined ? undefined : structuredClone(value);
    },
    async write(v) {
      value = structuredClone(v);
    },
  };
}
