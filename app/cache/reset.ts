// Reset: the seed's "delete /data entirely and restart", with a typed confirmation and a guard that
// refuses to delete a directory that does not look like a registry's storage.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Mirror } from '../mirror/mirror.js';
import { mirrorDirs } from '../mirror/settings.js';
import type { MirrorStatus } from '../mirror/status.js';
import { AppError } from '../util/errors.js';
import { readJournal } from './prune/journal.js';
import { scanStore } from './scan/scanner.js';

/** What the user types to confirm. Not a boolean: nothing deletes the cache by default or by accident. */
export const RESET_CONFIRMATION = 'delete the cache';

const EXPECTED = new Set(['docker', 'scheduler-state.json']);

export interface ResetResult {
  freedBytes: number;
  repositoriesRemoved: number;
  status: MirrorStatus;
}

export async function resetCache(
  mirror: Mirror,
  confirmation: string,
  onProgress?: (step: 'stopping' | 'deleting' | 'starting' | 'done') => void,
): Promise<ResetResult> {
  if (confirmation !== RESET_CONFIRMATION) {
    throw new AppError(
      'INVALID_INPUT',
      `reset deletes every cached image: confirm with "${RESET_CONFIRMATION}"`,
    );
  }
  if (await readJournal(mirror.settings.dataDir)) {
    throw new AppError(
      'INVALID_INPUT',
      'a prune is unfinished: it is completed or rolled back first (recover)',
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
  const before = await scanStore(data);
  onProgress?.('stopping');
  await mirror.remove();
  onProgress?.('deleting');
  for (const e of entries) await rm(join(data, e), { recursive: true, force: true });
  onProgress?.('starting');
  const { status } = await mirror.up();
  onProgress?.('done');
  return { freedBytes: before.blobBytes, repositoriesRemoved: before.repositories.length, status };
}
