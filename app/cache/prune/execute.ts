// Runs a prune plan: stop the mirror, move the planned directories aside, garbage-collect, start the
// mirror, then delete what was moved and measure. Every step is journaled first (see recover.ts).
import type Docker from 'dockerode';
import { readdir, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { modeOf, type Mirror } from '../../mirror/mirror.js';
import { ensureReserve, releaseReserve } from '../../mirror/files.js';
import type { MirrorMode } from '../../mirror/registry-config.js';
import { mirrorDirs } from '../../mirror/settings.js';
import { AppError } from '../../util/errors.js';
import { createBlobMeter } from '../scan/blob-meter.js';
import { runGarbageCollect, type GcResult } from './gc.js';
import {
  clearJournal,
  readJournal,
  trashDir,
  writeJournal,
  type JournalEntry,
  type PruneStep,
} from './journal.js';
import { within } from './names.js';
import type { PrunePlan } from './plan.js';
import { moveInto } from './trash.js';
import { serveAgain } from './serve-again.js';

export interface PruneProgress {
  step: PruneStep | 'done';
  /** 0..1 through the whole prune */
  fraction: number;
  message: string;
}

export interface PruneResult {
  planId: string;
  previewBytes: number;
  /** blob bytes before minus after, measured on disk (the blob store listed before, and again after) */
  freedBytes: number;
  orphanBytes: number;
  gc: Pick<GcResult, 'marked' | 'eligibleBlobs' | 'eligibleManifests' | 'ms'>;
  /** how long the mirror did not serve */
  downtimeMs: number;
  /** the mode the mirror serves in afterwards (the mode it served in before); absent: left stopped */
  mode?: MirrorMode;
}

export interface PruneOptions {
  /**
   * The mode to serve in afterwards. Default: the mode the mirror's container runs in now (its label),
   * so an offline mirror comes back offline (a proxy could not even start without its upstream).
   */
  mode?: MirrorMode;
  onProgress?: (p: PruneProgress) => void;
  /** test hook: the process kills itself right after reaching this step (crash-safety tests) */
  crashAfter?: PruneStep;
}

const FRACTION: Record<PruneStep | 'done', number> = {
  planned: 0,
  stopped: 0.15,
  removing: 0.2,
  removed: 0.35,
  collecting: 0.4,
  collected: 0.8,
  started: 0.9,
  done: 1,
};

export class PruneContext {
  readonly home: string;
  readonly store: string;
  constructor(
    readonly docker: Docker,
    readonly mirror: Mirror,
    private readonly opts: PruneOptions = {},
  ) {
    this.home = mirror.settings.dataDir;
    this.store = mirrorDirs(mirror.settings).data;
  }

  async mark(j: JournalEntry, message: string): Promise<void> {
    await writeJournal(this.home, j);
    this.opts.onProgress?.({ step: j.step, fraction: FRACTION[j.step], message });
    // 'removing' and 'collecting' crash in the middle of their work instead (see crashPoint).
    if (this.opts.crashAfter === j.step && j.step !== 'removing' && j.step !== 'collecting') this.crash();
  }

  /** Test hook: dies the hard way, as a power cut or a force quit would. */
  crashPoint(step: PruneStep): void {
    if (this.opts.crashAfter === step) this.crash();
  }

  private crash(): never {
    process.kill(process.pid, 'SIGKILL');
    throw new Error('unreachable');
  }

  progress(step: PruneStep | 'done', message: string): void {
    this.opts.onProgress?.({ step, fraction: FRACTION[step], message });
  }

  /** Moves each planned directory into the trash (merging into what an earlier attempt moved there). */
  async moveAside(plan: PrunePlan): Promise<void> {
    const trash = trashDir(this.home, plan.id);
    for (const rel of plan.removals) {
      const from = within(this.store, rel);
      await moveInto(from, within(trash, rel));
      await removeEmptyParents(dirname(from), join(this.store, 'docker/registry/v2/repositories'));
      this.crashPoint('removing');
    }
  }
}

async function removeEmptyParents(dir: string, stopAt: string): Promise<void> {
  while (dir.startsWith(stopAt + '/')) {
    const entries = await readdir(dir).catch(() => undefined);
    if (!entries || entries.length > 0) return;
    await rmdir(dir).catch(() => {});
    dir = dirname(dir);
  }
}

export async function executePrune(
  docker: Docker,
  mirror: Mirror,
  plan: PrunePlan,
  opts: PruneOptions = {},
): Promise<PruneResult> {
  const ctx = new PruneContext(docker, mirror, opts);
  if (await readJournal(ctx.home)) {
    throw new AppError(
      'INVALID_INPUT',
      'another prune is unfinished: it is completed or rolled back first (recover)',
    );
  }
  // Only the blob store's size is needed: measured before, then again after GC, where the meter lists
  // again only the prefix directories GC changed (no second scan of the whole store).
  const blobs = createBlobMeter(ctx.store);
  const before = await blobs.measure();
  const info = await mirror.inspect();
  const wasRunning = !!info?.State.Running;
  const mode = opts.mode ?? (info ? modeOf(info) : mirror.mode);
  const j = { plan, dataDir: ctx.home, wasRunning, mode };
  // On a full disk even the journal could not be written: use the space held back for this.
  await releaseReserve(ctx.home);
  await ctx.mark({ ...j, step: 'planned' }, 'prune planned');
  const down0 = Date.now();
  await mirror.down();
  await ctx.mark({ ...j, step: 'stopped' }, 'mirror stopped');
  await ctx.mark({ ...j, step: 'removing' }, 'removing the selection');
  await ctx.moveAside(plan);
  await ctx.mark({ ...j, step: 'removed' }, 'selection removed');
  const gc = await collect(ctx, j);
  let downtimeMs = 0;
  if (wasRunning) {
    await serveAgain(mirror, mode);
    downtimeMs = Date.now() - down0;
  }
  await ctx.mark(
    { ...j, step: 'started' },
    wasRunning ? `mirror serving again (${mode})` : 'mirror left stopped, as it was',
  );
  await clearJournal(ctx.home, plan.id);
  await ensureReserve(ctx.home);
  const after = await blobs.measure();
  ctx.progress('done', 'prune finished');
  return {
    planId: plan.id,
    previewBytes: plan.bytes,
    freedBytes: before.bytes - after.bytes,
    orphanBytes: plan.orphanBytes,
    gc: {
      marked: gc.marked,
      eligibleBlobs: gc.eligibleBlobs,
      eligibleManifests: gc.eligibleManifests,
      ms: gc.ms,
    },
    downtimeMs,
    ...(wasRunning ? { mode } : {}),
  };
}

/** The GC step, shared with recovery. */
export async function collect(ctx: PruneContext, j: Omit<JournalEntry, 'step'>): Promise<GcResult> {
  await ctx.mark({ ...j, step: 'collecting' }, 'collecting garbage');
  const gc = await runGarbageCollect(ctx.docker, ctx.mirror.settings, {
    onStarted: () => ctx.crashPoint('collecting'),
  });
  await ctx.mark({ ...j, step: 'collected' }, `garbage collected: ${gc.eligibleBlobs} blobs deleted`);
  return gc;
}
