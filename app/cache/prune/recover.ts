// Resolves a prune that was interrupted (crash, force quit, power cut), whatever happened since: the
// mirror started again and the pruned repository pulled again, a reset, the data directory moved.
// Called at every open of the mirror, and before each prune and reset; cheap when there is nothing.
//
// Before the selection was fully moved aside: roll back, putting back what the trash holds except what
// the registry wrote since (a re-pull: newer) and links to blobs the store no longer holds (a reset).
// After: finish by collecting again (mark and sweep: idempotent), never moving anything aside again, so
// a repository pulled again since keeps its new content (collection marks it). Blobs a sweep had in
// quarantine go back first, so the collection judges the whole store again. The selection's old
// copy in the trash is deleted either way. The mirror ends as it was: as it served when recovery began
// (started again since) or else as the journal says, in the same mode (offline stays offline).
import type Docker from 'dockerode';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LABELS } from '../../mirror/container-spec.js';
import { ensureReserve } from '../../mirror/files.js';
import { modeOf, type Mirror } from '../../mirror/mirror.js';
import type { MirrorMode } from '../../mirror/registry-config.js';
import { messageOf } from '../../util/errors.js';
import { PruneContext, collect, sweepStep, whyNotSweep } from './execute.js';
import { leftoverGcContainers } from './gc.js';
import { clearJournal, readJournal, trashDir, type PruneStep } from './journal.js';
import { serveAgain } from './serve-again.js';
import { releaseQuarantine, SweepUnsupported } from './sweep.js';
import { restoreInto, type RestoreCount } from './trash.js';

export interface RecoveryResult {
  action: 'none' | 'rolled-back' | 'completed';
  step?: PruneStep;
  planId?: string;
  /** the mode the mirror serves in afterwards; absent: left stopped (as it was) */
  mode?: MirrorMode;
  /** a rollback: files put back, and files left (written since, or links to blobs gone since) */
  restored?: RestoreCount;
  /** finishing could not collect (the selection is gone; its blobs wait for the next prune's collection) */
  collectError?: string;
  /** blobs a killed sweep held in quarantine, put back before collecting again */
  released?: number;
  ms?: number;
}

const ROLL_BACK: PruneStep[] = ['planned', 'stopped', 'removing'];

/** Trash directories in a data dir (one per prune). */
async function trashIds(home: string): Promise<string[]> {
  return readdir(join(home, 'prune-trash')).catch(() => [] as string[]);
}

/** Removes garbage-collection containers a dead process left running on these data dirs. */
export async function removeLeftoverCollections(docker: Docker, dataDirs: string[]): Promise<void> {
  for (const dir of new Set(dataDirs)) {
    for (const id of await leftoverGcContainers(docker, dir)) {
      await docker
        .getContainer(id)
        .remove({ force: true })
        .catch(() => {});
    }
  }
}

/**
 * THE entry point: resolves what an interrupted prune left in the mirror's data dir (its journal, and
 * any trash without one: a journal deleted by hand). Never fails because of what happened since.
 */
export async function recoverPrune(docker: Docker, mirror: Mirror): Promise<RecoveryResult> {
  const t0 = Date.now();
  const ctx = new PruneContext(docker, mirror);
  const j = await readJournal(ctx.home);
  const orphans = (await trashIds(ctx.home)).filter((id) => id !== j?.plan.id);
  if (!j && !orphans.length) return { action: 'none' };

  // A collection still running from the dead process must not race what we do. The journal names the
  // data dir it was written for; the directory may have been moved since: look for both.
  await removeLeftoverCollections(docker, [ctx.home, ...(j ? [j.dataDir] : [])]);
  const info = await mirror.inspect();
  const servedDir = info?.Config.Labels?.[LABELS.dataDir];
  const runningNow = !!info?.State.Running && (servedDir === undefined || servedDir === ctx.home);
  const end: { running: boolean; mode: MirrorMode } = runningNow
    ? { running: true, mode: modeOf(info!) }
    : { running: j?.wasRunning ?? false, mode: j?.mode ?? 'proxy' };
  // Nothing is put back or collected under a registry that serves this store.
  if (runningNow) await mirror.down();

  const result: RecoveryResult = { action: 'none' };
  const restore = async (id: string) => {
    const c = await restoreInto(trashDir(ctx.home, id), ctx.store);
    result.restored = {
      restored: (result.restored?.restored ?? 0) + c.restored,
      skipped: (result.restored?.skipped ?? 0) + c.skipped,
    };
    result.action = 'rolled-back';
  };
  for (const id of orphans) {
    await restore(id);
    await rm(trashDir(ctx.home, id), { recursive: true, force: true });
  }
  if (j) {
    result.step = j.step;
    result.planId = j.plan.id;
    if (ROLL_BACK.includes(j.step)) await restore(j.plan.id);
    else {
      if (j.step === 'removed' || j.step === 'collecting') {
        const entry = { plan: j.plan, dataDir: ctx.home, wasRunning: j.wasRunning, mode: j.mode };
        try {
          result.released = await releaseQuarantine(ctx.store, trashDir(ctx.home, j.plan.id));
          if (whyNotSweep(mirror, undefined, {}) !== undefined) await collect(ctx, entry);
          else {
            await sweepStep(ctx, entry, Date.now()).catch((err: unknown) => {
              if (err instanceof SweepUnsupported) return collect(ctx, entry);
              throw err;
            });
          }
        } catch (err) {
          // Unreferenced blobs are no harm: any later collection frees them. A jam would be.
          result.collectError = messageOf(err);
        }
      }
      result.action = 'completed';
    }
  }
  try {
    if (end.running) {
      await serveAgain(mirror, end.mode);
      result.mode = end.mode;
    }
  } finally {
    // The store is consistent now, served or not: the journal is done with.
    if (j) await clearJournal(ctx.home, j.plan.id);
    await ensureReserve(ctx.home);
  }
  result.ms = Date.now() - t0;
  return result;
}
