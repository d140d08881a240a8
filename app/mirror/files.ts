// The mirror's host directories: created, checked writable, and config.yml written atomically.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AppError, messageOf } from '../util/errors.js';
import { makeDataDir } from './data-dir.js';
import { mirrorDirs, type MirrorSettings } from './settings.js';

export async function prepareDirs(
  s: Pick<MirrorSettings, 'dataDir'>,
): Promise<{ config: string; data: string }> {
  const dirs = mirrorDirs(s);
  for (const dir of [dirs.config, dirs.data]) {
    try {
      await makeDataDir(dir);
      if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
      await access(dir, constants.W_OK);
      // access() says yes to root on a read-only file system: write a probe to be sure.
      const probe = join(dir, `.drpc-probe-${randomBytes(4).toString('hex')}`);
      await writeFile(probe, '');
      await rm(probe);
    } catch (err) {
      throw new AppError(
        'DATA_DIR_UNWRITABLE',
        `cannot use ${dir} for the mirror's files (${messageOf(err)}): choose a data directory you can write to`,
        { dir },
      );
    }
  }
  await ensureReserve(s.dataDir);
  return dirs;
}

/** Space held back on the cache's volume, so a prune can still write its journal when the disk is full. */
export const RESERVE_BYTES = 1024 * 1024;

export function reservePath(dataDir: string): string {
  return join(dataDir, '.drpc-reserve');
}

/** Creates the reserve (real blocks, not a sparse file) unless it is there; best effort. */
export async function ensureReserve(dataDir: string): Promise<boolean> {
  const path = reservePath(dataDir);
  try {
    if ((await stat(path)).size === RESERVE_BYTES) return true;
  } catch {
    /* absent */
  }
  try {
    await writeFile(path, Buffer.alloc(RESERVE_BYTES));
    return true;
  } catch {
    await rm(path, { force: true });
    return false;
  }
}

/** Gives the reserve back to the volume (a prune on a full disk starts here). */
export async function releaseReserve(dataDir: string): Promise<void> {
  await rm(reservePath(dataDir), { force: true });
}

/** Writes a file by temp + fsync + rename, so a crash never leaves half a config. Returns true if it changed. */
export async function writeFileAtomic(path: string, text: string): Promise<boolean> {
  try {
    if ((await readFile(path, 'utf8')) === text) return false;
  } catch {
    /* absent: write it */
  }
  const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  return true;
}
