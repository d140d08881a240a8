// The few file-system calls the scanner makes, behind an interface so tests can count them
// (the incremental refresh is verified by asserting which paths were touched).
//
// Synchronous on purpose. The scan runs on a worker thread (worker-scanner.ts), where a blocking call
// blocks nobody, and a synchronous lstat costs a system call and a Stats object where the promise
// version also costs a trip through libuv's thread pool and a promise: about 380,000 calls for a full
// scan of the 60,000-blob benchmark store (docs/benchmarks.md). In-process (scanner.ts) the same calls
// run in time slices instead.
import { lstatSync, readdirSync, readFileSync, type Dirent, type Stats } from 'node:fs';

export interface ScanFs {
  /** Names in a directory, in no particular order. */
  readdir(path: string): string[];
  /** Entries in a directory with their types (from the directory itself: no lstat per entry). */
  readdirTypes(path: string): Dirent[];
  /** lstat; undefined when the entry does not exist. */
  lstat(path: string): Stats | undefined;
  readFile(path: string): Buffer;
}

export const nodeFs: ScanFs = {
  readdir: (path) => readdirSync(path),
  readdirTypes: (path) => readdirSync(path, { withFileTypes: true }),
  lstat: (path) => lstatSync(path, { throwIfNoEntry: false }),
  readFile: (path) => readFileSync(path),
};

export type FsOp = 'readdir' | 'lstat' | 'readFile';

export interface CountingFs extends ScanFs {
  /** Every call made since the last reset, in order (both readdir flavours are 'readdir'). */
  readonly calls: Array<{ op: FsOp; path: string }>;
  reset(): void;
  /** Calls whose path starts with prefix (optionally one op only). */
  under(prefix: string, op?: FsOp): Array<{ op: FsOp; path: string }>;
}

/** Wraps an fs and records every call: for tests and benchmarks. */
export function countingFs(base: ScanFs = nodeFs): CountingFs {
  const calls: Array<{ op: FsOp; path: string }> = [];
  return {
    calls,
    reset: () => void calls.splice(0),
    under: (prefix, op) =>
      calls.filter((c) => c.path.startsWith(prefix) && (op === undefined || c.op === op)),
    readdir: (path) => (calls.push({ op: 'readdir', path }), base.readdir(path)),
    readdirTypes: (path) => (calls.push({ op: 'readdir', path }), base.readdirTypes(path)),
    lstat: (path) => (calls.push({ op: 'lstat', path }), base.lstat(path)),
    readFile: (path) => (calls.push({ op: 'readFile', path }), base.readFile(path)),
  };
}

/** The registry may delete files while we read (expiry, GC): a vanished entry is skipped, not an error. */
export function isGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** lstat that also answers undefined when a parent turned out not to be a directory. */
export function lstatOrNone(fs: ScanFs, path: string): Stats | undefined {
  try {
    return fs.lstat(path);
  } catch (err) {
    if (isGone(err)) return undefined;
    throw err;
  }
}

/** Names in a directory; none when it vanished (or is not a directory after all). */
export function listOrNone(fs: ScanFs, path: string): string[] {
  try {
    return fs.readdir(path);
  } catch (err) {
    if (isGone(err)) return [];
    throw err;
  }
}

/** A file's content; undefined when it vanished. */
export function readOrNone(fs: ScanFs, path: string): Buffer | undefined {
  try {
    return fs.readFile(path);
  } catch (err) {
    if (isGone(err)) return undefined;
    throw err;
  }
}
