// The few file-system calls the scanner makes, behind an interface so tests can count them
// (the incremental refresh is verified by asserting which paths were touched).
import { lstat, readdir, readFile, type Dirent, type Stats } from 'node:fs';

export interface ScanFs {
  readdir(path: string): Promise<Dirent[]>;
  lstat(path: string): Promise<Stats>;
  readFile(path: string): Promise<Buffer>;
}

const settle =
  <T>(resolve: (v: T) => void, reject: (e: Error) => void) =>
  (err: Error | null, value: T) =>
    err ? reject(err) : resolve(value);

/**
 * Node's callback API wrapped in promises: the same thread-pool calls as `node:fs/promises`, measured
 * 2x faster for lstat and 2.5x for small readFile (a full scan makes ~400,000 of them).
 */
export const nodeFs: ScanFs = {
  readdir: (path) => new Promise((res, rej) => readdir(path, { withFileTypes: true }, settle(res, rej))),
  lstat: (path) => new Promise((res, rej) => lstat(path, settle(res, rej))),
  readFile: (path) => new Promise((res, rej) => readFile(path, settle(res, rej))),
};

export type FsOp = 'readdir' | 'lstat' | 'readFile';

export interface CountingFs extends ScanFs {
  /** Every call made since the last reset, in order. */
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
    lstat: (path) => (calls.push({ op: 'lstat', path }), base.lstat(path)),
    readFile: (path) => (calls.push({ op: 'readFile', path }), base.readFile(path)),
  };
}

/** The registry may delete files while we read (expiry, GC): a vanished entry is skipped, not an error. */
export function isGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** lstat that answers undefined for an entry that does not exist (or vanished). */
export async function lstatOrNone(fs: ScanFs, path: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(path);
  } catch (err) {
    if (isGone(err)) return undefined;
    throw err;
  }
}

/**
 * Runs work over a queue that the work itself may grow (a directory walk pushes its children),
 * with at most `concurrency` items in flight: an iterative walk with bounded memory for pending calls.
 */
export function runQueue<T>(
  initial: Iterable<T>,
  concurrency: number,
  work: (item: T, push: (item: T) => void) => Promise<void>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let queue = [...initial];
    let head = 0;
    let active = 0;
    let failed = false;
    const push = (item: T): void => {
      queue.push(item);
      pump();
    };
    const pump = (): void => {
      while (!failed && active < concurrency && head < queue.length) {
        const item = queue[head++] as T;
        active++;
        work(item, push).then(
          () => {
            active--;
            pump();
          },
          (err: unknown) => {
            failed = true;
            reject(err);
          },
        );
      }
      // Drop consumed items now and then so a long walk does not keep every path alive.
      if (head > 4096 && head * 2 > queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
      if (!failed && active === 0 && head >= queue.length) resolve();
    };
    pump();
  });
}
