// The background keeper `drpc up` leaves behind: `drpc keep`, detached, its output in <home>/keeper.log.
// It waits for the lock the `up` holds, then keeps the mirror (offline switching, supervision) exactly as
// `drpc watch` does; `drpc down` asks it to hand over and it exits; the app takes over from it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { open, rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../util/errors.js';
import { readOwner } from './lock.js';

export const KEEPER_LOG = 'keeper.log';
const MAX_LOG_BYTES = 1024 * 1024;

/** bin/drpc.js of this checkout or package: it runs the compiled CLI, or the sources through tsx. */
function cliEntry(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'bin', 'drpc.js');
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new AppError('INTERNAL', 'cannot find bin/drpc.js to start the background keeper');
    dir = up;
  }
}

/**
 * Starts the keeper detached and returns once it is on its way (its process runs; it takes the lock
 * when the caller lets go of it). `args` are extra options for `drpc keep`.
 */
export async function startKeeper(
  home: string,
  env: NodeJS.ProcessEnv,
  args: string[] = [],
): Promise<{ pid: number; log: string }> {
  const log = join(home, KEEPER_LOG);
  // One old log is kept: a keeper that runs for months does not fill the disk.
  if (((await stat(log).catch(() => undefined))?.size ?? 0) > MAX_LOG_BYTES)
    await rename(log, `${log}.1`).catch(() => {});
  const out = await open(log, 'a', 0o600);
  try {
    const child = spawn(process.execPath, [cliEntry(), 'keep', ...args], {
      detached: true,
      stdio: ['ignore', out.fd, out.fd],
      env,
      cwd: home,
    });
    const pid = child.pid;
    if (!pid) throw new AppError('INTERNAL', `the background keeper did not start (see ${log})`);
    child.unref();
    return { pid, log };
  } finally {
    await out.close();
  }
}

/** Waits until the keeper holds the lock (it is keeping the mirror); false if it died first. */
export async function keeperTookOver(home: string, pid: number, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await readOwner(home))?.pid === pid) return true;
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    await sleep(100);
  }
  return false;
}
