// Runs a prune plan with the mirror serving: move the planned directories aside, sweep the blobs nothing
// references any more (sweep.ts), delete what was moved, measure. Where the sweep cannot run (an older
// container that caches blob descriptors, a store it does not understand, storage on another host),
// the registry's own stop-the-world GC does: stop, collect, start again. Every step is journaled
// first (see recover.ts).
import type Docker from 'dockerode';
import { readdir, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { modeOf, type Mirror } from '../../mirror/mirror.js';
import { ensureReserve, releaseReserve } from '../../mirror/files.js';
import { registryMajorOf, type MirrorMode } from '../../mirror/registry-config.js';
import { mirrorDirs } from '../../mirror/settings.js';
import { AppError } from '../../util/errors.js';
import { createBlobMeter } from '../scan/blob-meter.js';
import { LABELS } from '../../mirror/container-spec.js';
import { createScanner } from '../scan/scanner.js';
import { runGarbageCollect, type GcResult } from './gc.js';
import { lookOf, sweep, SweepUnsupported, type StoreLook, type SweepResult } from './sweep.js';
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
  /** how long the mirror did not serve (0 when swept while serving) */
  downtimeMs: number;
  /** how the blobs were collected: swept while serving, or the registry's GC with the mirror stopped (why) */
  collector: { kind: 'sweep' | 'gc'; reason?: string };
  /** the sweep's own account: blobs put back, left for being new, time spent waiting for uploads */
  sweep?: { rescued: number; young: number; waitedMs: number };
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
  /**
   * A fresh look at the store for the sweep: the app passes its scan worker's refresh (incremental);
   * by default an in-process scanner made for this prune.
   */
  look?: (ask: readonly string[]) => Promise<StoreLook>;
  /** test hook: prune the old way (the mirror stopped, the registry's GC) */
  collector?: 'gc';
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
    readonly opts: PruneOptions = {},
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

/**
 * Whether the sweep may run with this mirror as it is: why not, or undefined. A stopped mirror is always
 * fine; a running one must keep no blob descriptors in memory (a container we made with that label).
 */
export function whyNotSweep(
  mirror: Mirror,
  info: Awaited<ReturnType<Mirror['inspect']>>,
  opts: PruneOptions,
): string | undefined {
  if (opts.collector === 'gc') return "asked for the registry's garbage collection";
  if (mirror.remoteStorage) return "the cache is stored on the engine's host, out of reach of the sweep";
  if (info?.State.Running && info.Config.Labels?.[LABELS.blobCache] !== 'off')
    return 'the running mirror was created by an older version, which caches blob descriptors';
  return undefined;
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
  // Only the blob store's size is needed: measured before, then again after, where the meter lists
  // again only the prefix directories that changed (no second scan of the whole store).
  const blobs = createBlobMeter(ctx.store);
  const before = await blobs.measure();
  const since = Date.now();
  const info = await mirror.inspect();
  const wasRunning = !!info?.State.Running;
  const mode = opts.mode ?? (info ? modeOf(info) : mirror.mode);
  const j = { plan, dataDir: ctx.home, wasRunning, mode };
  // On a full disk even the journal could not be written: use the space held back for this.
  await releaseReserve(ctx.home);
  await ctx.mark({ ...j, step: 'planned' }, 'prune planned');
  let reason = whyNotSweep(mirror, info, opts);
  let downtimeMs = 0;
  let gc: PruneResult['gc'];
  let sweepAccount: PruneResult['sweep'];
  if (reason === undefined) {
    await ctx.mark({ ...j, step: 'removing' }, 'removing the selection');
    await ctx.moveAside(plan);
    await ctx.mark({ ...j, step: 'removed' }, 'selection removed');
    try {
      const swept = await sweepStep(ctx, j, since);
      gc = { marked: swept.marked, eligibleBlobs: swept.deleted.length, eligibleManifests: 0, ms: swept.ms };
      sweepAccount = { rescued: swept.rescued.length, young: swept.young, waitedMs: swept.waitedMs };
    } catch (err) {
      if (!(err instanceof SweepUnsupported)) throw err;
      // Nothing was quarantined: the removal stands, the registry's GC collects.
      reason = `the sweep cannot judge this cache: ${err.message}`;
      const down0 = Date.now();
      await mirror.down();
      ({ gc, downtimeMs } = await collectStopped(ctx, j, down0));
    }
    await ctx.mark(
      { ...j, step: 'started' },
      wasRunning ? `the mirror served throughout (${mode})` : 'mirror left stopped, as it was',
    );
  } else {
    const down0 = Date.now();
    await mirror.down();
    await ctx.mark({ ...j, step: 'stopped' }, 'mirror stopped');
    await ctx.mark({ ...j, step: 'removing' }, 'removing the selection');
    await ctx.moveAside(plan);
    await ctx.mark({ ...j, step: 'removed' }, 'selection removed');
    ({ gc, downtimeMs } = await collectStopped(ctx, j, down0));
    await ctx.mark(
      { ...j, step: 'started' },
      wasRunning ? `mirror serving again (${mode})` : 'mirror left stopped, as it was',
    );
  }
  await clearJournal(ctx.home, plan.id);
  await ensureReserve(ctx.home);
  const after = await blobs.measure();
  ctx.progress('done', 'prune finished');
  return {
    planId: plan.id,
    previewBytes: plan.bytes,
    freedBytes: before.bytes - after.bytes,
    orphanBytes: plan.orphanBytes,
    gc,
    downtimeMs,
    collector: reason === undefined ? { kind: 'sweep' } : { kind: 'gc', reason },
    ...(sweepAccount ? { sweep: sweepAccount } : {}),
    ...(wasRunning ? { mode } : {}),
  };
}

/**
 * The registry's GC with the mirror stopped (since `down0`), then serving again as it did: what the
 * prune reports of it, and how long the mirror was down.
 */
async function collectStopped(
  ctx: PruneContext,
  j: Omit<JournalEntry, 'step'>,
  down0: number,
): Promise<{ gc: PruneResult['gc']; downtimeMs: number }> {
  const r = await collect(ctx, j);
  const gc = {
    marked: r.marked,
    eligibleBlobs: r.eligibleBlobs,
    eligibleManifests: r.eligibleManifests,
    ms: r.ms,
  };
  if (!j.wasRunning) return { gc, downtimeMs: 0 };
  await serveAgain(ctx.mirror, j.mode);
  return { gc, downtimeMs: Date.now() - down0 };
}

/** The sweep step, shared with recovery: journaled as the collection is. */
export async function sweepStep(
  ctx: PruneContext,
  j: Omit<JournalEntry, 'step'>,
  since: number,
): Promise<SweepResult> {
  await ctx.mark({ ...j, step: 'collecting' }, 'sweeping unreferenced blobs');
  // Marks follow the collector of the registry the mirror runs (2.8 and 3.x enumerate differently).
  const scanner = ctx.opts.look
    ? undefined
    : createScanner(ctx.store, { registry: registryMajorOf(ctx.mirror.settings.image) });
  const swept = await sweep({
    store: ctx.store,
    trash: trashDir(ctx.home, j.plan.id),
    since,
    look: ctx.opts.look ?? (async (ask) => lookOf(await scanner!.refresh(), ask)),
    onQuarantined: () => ctx.crashPoint('collecting'),
  });
  await ctx.mark({ ...j, step: 'collected' }, `swept: ${swept.deleted.length} blobs deleted`);
  return swept;
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
