// The prune journal: one small file beside the cache that says how far a prune got, so a prune that
// was interrupted at any step is finished or rolled back when the mirror is next opened (recover.ts).
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../../mirror/files.js';
import type { MirrorMode } from '../../mirror/registry-config.js';
import type { PrunePlan } from './plan.js';

export type PruneStep =
  'planned' | 'stopped' | 'removing' | 'removed' | 'collecting' | 'collected' | 'started';

export interface Journal {
  version: 2;
  plan: PrunePlan;
  step: PruneStep;
  /** the data directory the prune ran on (the journal and its trash live in it) */
  dataDir: string;
  /** whether the mirror served before the prune: only then is it started again */
  wasRunning: boolean;
  /** the mode it served in: a mirror that was offline comes back offline */
  mode: MirrorMode;
  updatedAt: string;
}

export type JournalEntry = Omit<Journal, 'updatedAt' | 'version'>;

export function journalPath(mirrorHome: string): string {
  return join(mirrorHome, 'prune-journal.json');
}

/** Where removed directories wait until the prune is done (same file system: a rename, undoable). */
export function trashDir(mirrorHome: string, planId: string): string {
  return join(mirrorHome, 'prune-trash', planId);
}

/** The journal in a data dir, if a prune left one. Version 1 (no mode, no data dir) reads as proxy, here. */
export async function readJournal(mirrorHome: string): Promise<Journal | undefined> {
  let raw: Partial<Omit<Journal, 'version'>> & { version?: number };
  try {
    raw = JSON.parse(await readFile(journalPath(mirrorHome), 'utf8')) as typeof raw;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Half a file (a crash mid-write predates the atomic writes): nothing can be resolved from it.
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
  if (!raw.plan || !raw.step) return undefined;
  return {
    version: 2,
    plan: raw.plan,
    step: raw.step,
    dataDir: raw.dataDir ?? mirrorHome,
    wasRunning: raw.wasRunning ?? false,
    mode: raw.mode === 'offline' ? 'offline' : 'proxy',
    updatedAt: raw.updatedAt ?? '',
  };
}

export async function writeJournal(mirrorHome: string, j: JournalEntry): Promise<void> {
  await mkdir(dirname(journalPath(mirrorHome)), { recursive: true });
  await writeFileAtomic(
    journalPath(mirrorHome),
    JSON.stringify({ version: 2, ...j, updatedAt: new Date().toISOString() }),
  );
}

export async function clearJournal(mirrorHome: string, planId: string): Promise<void> {
  await rm(trashDir(mirrorHome, planId), { recursive: true, force: true });
  await rm(journalPath(mirrorHome), { force: true });
}
