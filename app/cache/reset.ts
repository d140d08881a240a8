// Reset: the seed's "delete /data entirely and restart", with a typed confirmation and a guard that
// refuses to delete a directory that does not look like a registry's storage.
import type Docker from 'dockerode';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { modeOf, type Mirror } from '../mirror/mirror.js';
import type { MirrorMode } from '../mirror/registry-config.js';
import { mirrorDirs } from '../mirror/settings.js';
import type { MirrorStatus } from '../mirror/status.js';
import { AppError } from '../util/errors.js';
import { clearJournal, readJournal } from './prune/journal.js';
import { removeLeftoverCollections } from './prune/recover.js';
import { serveAgain } from './prune/serve-again.js';
import { scanStore } from './scan/scanner.js';

/** What the user types to confirm. Not a boolean: nothing deletes the cache by default or by accident. */
export const RESET_CONFIRMATION = 'delete the cache';

const EXPECTED = new Set(['docker', 'scheduler-state.json']);

export interface ResetResult {
  freedBytes: number;
  repositoriesRemoved: number;
  status: MirrorStatus;
  /** the mode it serves in afterwards: the mode it was in (not in the IPC contract's value yet) */
  mode?: MirrorMode;
}

export interface ResetOptions {
  /** the engine: a garbage collection an interrupted prune left running is removed first */
  docker?: Docker;
  /** the mode to serve in afterwards; default: the mode of the mirror's container (its label) */
  mode?: MirrorMode;
}

export async function resetCache(
  mirror: Mirror,
  confirmation: string,
  onProgress?: (step: 'stopping' | 'deleting' | 'starting' | 'done') => void,
  opts: ResetOptions = {},
): Promise<ResetResult> {
  if (confirmation !== RESET_CONFIRMATION) {
    throw new AppError(
      'INVALID_INPUT',
      `reset deletes every cached image: confirm with "${RESET_CONFIRMATION}"`,
    );
  }
  const data = mirrorDirs(mirror.settings).data;
  const entries = await readdir(data).catch(() => [] as string[]);
  const foreign = entries.filter((e) => !EXPECTED.has(e) && !e.startsWith('.drpc-probe-'));
  if (foreign.length) {
    throw new AppError(
      'INVALID_INPUT',
      `${data} holds files the registry did not write (${foreign.slice(0, 5).join(', ')}): not deleting it; check the data directory setting`,
    );
  }
  // An interrupted prune is moot once everything goes: its trash goes too (no rollback, no collection).
  const journal = await readJournal(mirror.settings.dataDir);
  if (journal && opts.docker)
    await removeLeftoverCollections(opts.docker, [mirror.settings.dataDir, journal.dataDir]);
  const info = await mirror.inspect();
  const mode = opts.mode ?? (info ? modeOf(info) : (journal?.mode ?? mirror.mode));
  const before = await scanStore(data);
  onProgress?.('stopping');
  await mirror.remove();
  onProgress?.('deleting');
  for (const e of entries) await rm(join(data, e), { recursive: true, force: true });
  await rm(join(mirror.settings.dataDir, 'prune-trash'), { recursive: true, force: true });
  if (journal) await clearJournal(mirror.settings.dataDir, journal.plan.id);
  onProgress?.('starting');
  const { status } = await serveAgain(mirror, mode);
  onProgress?.('done');
  return { freedBytes: before.blobBytes, repositoriesRemoved: before.repositories.length, status, mode };
}
