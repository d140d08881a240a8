// The prune journal: one small file next to the cache that says how far a prune got, so a prune that
// was interrupted at any step is finished or rolled back at the next start.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../../mirror/files.js';
import type { PrunePlan } from './plan.js';

export type PruneStep =
  'planned' | 'stopped' | 'removing' | 'removed' | 'collecting' | 'collected' | 'started';

export interface Journal {
  version: 1;
  plan: PrunePlan;
  step: PruneStep;
  /** whether the mirror served before the prune: only then is it started again */
  wasRunning: boolean;
  updatedAt: string;
}

export function journalPath(mirrorHome: string): string {
  return join(mirrorHome, 'prune-journal.json');
}

/** Where removed directories wait until the prune is done (same file system: a rename, undoable). */
export function trashDir(mirrorHome: string, planId: string): string {
  return join(mirrorHome, 'prune-trash', planId);
}

export async function readJournal(mirrorHome: string): Promise<Journal | undefined> {
  try {
    return JSON.parse(await readFile(journalPath(mirrorHome), 'utf8')) as Journal;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function writeJournal(
  mirrorHome: string,
  j: Omit<Journal, 'updatedAt' | 'version'>,
): Promise<void> {
  await mkdir(dirname(journalPath(mirrorHome)), { recursive: true });
  await writeFileAtomic(
    journalPath(mirrorHome),
    JSON.stringify({ version: 1, ...j, updatedAt: new Date().toISOString() }),
  );
}

export async function clearJournal(mirrorHome: string, planId: string): Promise<void> {
  await rm(trashDir(mirrorHome, planId), { recursive: true, force: true });
  await rm(journalPath(mirrorHome), { force: true });
}
