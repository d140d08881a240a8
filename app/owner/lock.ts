// One owner of the mirror at a time: a lock file in the app's home held by whichever process drives the
// mirror (the app, `drpc watch`, the background keeper, or a CLI command for its duration).
//
// Taken atomically: the record is written whole to a private file, then hard-linked to the lock's name
// (link fails if the name exists; a reader never sees half a record). A lock whose process is gone is
// stale: the PID is not alive, or it is alive but started at another time (the PID was reused after a
// crash). A stale lock is moved aside by rename (one taker wins) and checked to be the one judged stale
// before it is deleted. Nothing waits on a process that is gone, so nothing deadlocks.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';

export const OWNER_ROLES = ['app', 'watch', 'keeper', 'cli'] as const;
export type OwnerRole = (typeof OWNER_ROLES)[number];

const recordSchema = z.object({
  pid: z.number().int().positive(),
  /** when the process started, as the OS says it (empty where it cannot be read) */
  startTime: z.string(),
  role: z.enum(OWNER_ROLES),
  /** the CLI command holding it, e.g. "prune" */
  command: z.string().optional(),
  since: z.string(),
});
export type OwnerRecord = z.infer<typeof recordSchema>;

export const LOCK_FILE = 'owner.lock';

export function lockPath(home: string): string {
  return join(home, LOCK_FILE);
}

/**
 * When a process started, as a string that changes when its PID is reused: the start time in clock
 * ticks since boot on Linux (field 22 of /proc/<pid>/stat), `ps -o lstart` on macOS. Undefined when
 * the process does not exist.
 */
export function processStartTime(pid: number): string | undefined {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name (field 2) is in parentheses and may hold spaces: count from after it.
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    } catch {
      return undefined;
    }
  }
  if (!alive(pid)) return undefined;
  if (process.platform === 'darwin') {
    try {
      return (
        execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8' }).trim() || undefined
      );
    } catch {
      return undefined;
    }
  }
  return '';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it is someone else's.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The holder's process still runs (the same process: same PID and start time). */
export function isLive(r: OwnerRecord): boolean {
  const start = processStartTime(r.pid);
  return start !== undefined && (r.startTime === '' || start === r.startTime);
}

async function readRecord(file: string): Promise<{ text: string; record?: OwnerRecord } | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const parsed = recordSchema.safeParse(JSON.parse(text));
    return parsed.success ? { text, record: parsed.data } : { text };
  } catch {
    return { text };
  }
}

/** The live owner, if any. */
export async function readOwner(home: string): Promise<OwnerRecord | undefined> {
  const r = await readRecord(lockPath(home));
  return r?.record && isLive(r.record) ? r.record : undefined;
}

export function describeOwner(r: OwnerRecord): string {
  switch (r.role) {
    case 'app':
      return `the menu-bar app (pid ${r.pid})`;
    case 'watch':
      return `drpc watch (pid ${r.pid})`;
    case 'keeper':
      return `the background keeper (pid ${r.pid})`;
    case 'cli':
      return `drpc ${r.command ?? 'command'} (pid ${r.pid})`;
  }
}

export class OwnerLock {
  private released = false;
  constructor(
    readonly home: string,
    readonly record: OwnerRecord,
  ) {}

  /** Still ours: the file names this process (a deleted home, or someone who broke it, say otherwise). */
  async held(): Promise<boolean> {
    if (this.released) return false;
    const r = await readRecord(lockPath(this.home)).catch(() => undefined);
    return r?.record?.pid === this.record.pid && r.record.startTime === this.record.startTime;
  }

  /** Lets go, if it is still ours. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (await new OwnerLock(this.home, this.record).held()) await unlink(lockPath(this.home)).catch(() => {});
  }
}

export type TryResult = { lock: OwnerLock; holder?: undefined } | { lock?: undefined; holder: OwnerRecord };

/** Takes the lock if nobody live holds it; else says who does. */
export async function tryAcquire(
  home: string,
  me: { role: OwnerRole; command?: string },
): Promise<TryResult> {
  await mkdir(home, { recursive: true });
  const record: OwnerRecord = {
    pid: process.pid,
    startTime: processStartTime(process.pid) ?? '',
    role: me.role,
    ...(me.command ? { command: me.command } : {}),
    since: new Date().toISOString(),
  };
  const file = lockPath(home);
  const tmp = join(home, `.${LOCK_FILE}.${process.pid}.${Math.random().toString(36).slice(2)}`);
  await writeFile(tmp, JSON.stringify(record), { mode: 0o600 });
  try {
    for (;;) {
      try {
        await link(tmp, file);
        return { lock: new OwnerLock(home, record) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const current = await readRecord(file);
      if (!current) continue; // released meanwhile
      if (current.record && isLive(current.record)) return { holder: current.record };
      await breakStale(file, current.text);
    }
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

/** Moves a stale lock aside; only the one judged stale is deleted (another taker may have won). */
async function breakStale(file: string, staleText: string): Promise<void> {
  const aside = `${file}.stale-${process.pid}`;
  try {
    await rename(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = await readFile(aside, 'utf8').catch(() => '');
  // A fresh lock taken between our read and our rename goes back where it was.
  if (moved !== staleText) await link(aside, file).catch(() => {});
  await unlink(aside).catch(() => {});
}

export interface AcquireOptions {
  /** told once, when the lock is held by someone else and this waits */
  onWait?: (holder: OwnerRecord) => void;
  /** give up after this long (default: wait as long as the holder lives) */
  timeoutMs?: number;
  pollMs?: number;
}

/** Takes the lock, waiting while a live process holds it. */
export async function acquireOwnerLock(
  home: string,
  me: { role: OwnerRole; command?: string },
  opts: AcquireOptions = {},
): Promise<OwnerLock> {
  const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
  let told: number | undefined;
  for (;;) {
    const r = await tryAcquire(home, me);
    if (r.lock) return r.lock;
    if (told !== r.holder.pid) {
      told = r.holder.pid;
      opts.onWait?.(r.holder);
    }
    if (Date.now() > deadline) throw new LockBusyError(r.holder);
    await sleep(opts.pollMs ?? 200);
  }
}

export class LockBusyError extends Error {
  constructor(readonly holder: OwnerRecord) {
    super(`${describeOwner(holder)} drives the mirror`);
    this.name = 'LockBusyError';
  }
}
