// The cache as the app runs it, over the current engine handle's CacheService: the report, prune plans
// kept by id (the UI prunes by id, so it can never hand in a plan of its own), prunes and resets as
// exclusive mirror operations with progress, a size history, and live "something was pulled" events.
//
// Nothing here reads the store: the CacheService scans on its worker thread (reports, samples, plans
// and a repository's tag sizes), each refresh told what the followed log saw pulled since, so the report
// after a pull of R re-reads R alone. Looks everywhere: the first, the timed samples, after a prune or a
// reset, and after the mirror changed mode. A dropped engine handle's worker is stopped.
import { EventEmitter } from 'node:events';
import type { PruneProgress, PruneResult } from '../cache/prune/execute.js';
import type { PrunePlan } from '../cache/prune/plan.js';
import type { CacheReport } from '../cache/report.js';
import { RESET_CONFIRMATION, type ResetResult } from '../cache/reset.js';
import type { CacheService, PruneSelection } from '../cache/service.js';
import type {
  CacheChange,
  CacheProgress,
  HistorySample,
  KeeperEvent,
  PrunePlanView,
  TagSize,
} from '../contract/values.js';
import { AppError, messageOf } from '../util/errors.js';
import type { CacheHistory } from './history.js';
import type { EngineHandle, MirrorService } from './mirror-service.js';
import type { ServiceLogger } from './types.js';

export interface CacheRuntimeOptions {
  mirror: Pick<MirrorService, 'cache' | 'exclusive' | 'mirrorSettings'> & {
    on(event: 'engine', listener: (handle: EngineHandle | undefined) => void): unknown;
    on(event: 'keeper', listener: (event: KeeperEvent) => void): unknown;
  };
  history: CacheHistory;
  log: ServiceLogger;
  /** the cache's size was measured (main raises the over-quota notice from it) */
  onUsage?: (bytes: number) => void;
  /**
   * how often the size is sampled for the history (default hourly); a sample's refresh looks
   * everywhere, the safety net for what the log does not tell (the registry expiring what it cached)
   */
  sampleIntervalMs?: number;
  /** how long a plan may wait for its prune (default 15 minutes) */
  planTtlMs?: number;
  /** pulls are announced once they have been quiet this long (default 1 s) */
  pullQuietMs?: number;
  /**
   * and once more this much later (default 3 s): the registry logs a blob as served while it may still
   * be writing it to its storage, so the first look can miss the end of a pull
   */
  pullSettleMs?: number;
  now?: () => number;
}

const RESET_STEPS = {
  stopping: { fraction: 0.1, message: 'Stopping the mirror' },
  deleting: { fraction: 0.35, message: 'Deleting the cached data' },
  starting: { fraction: 0.7, message: 'Starting an empty mirror' },
  done: { fraction: 1, message: 'The cache is empty' },
} as const;

const MAX_PLANS = 16;

interface KeptPlan {
  plan: PrunePlan;
  dataDir: string;
  at: number;
}

export function planView(plan: PrunePlan): PrunePlanView {
  return {
    id: plan.id,
    createdAt: plan.createdAt,
    reason: plan.reason,
    repositories: plan.repositories,
    tags: plan.tags,
    bytes: plan.bytes,
    orphanBytes: plan.orphanBytes,
    totalBefore: plan.totalBefore,
    blobs: plan.digests.length,
  };
}

export class CacheRuntime extends EventEmitter<{ progress: [CacheProgress]; changed: [CacheChange] }> {
  private plans = new Map<string, KeptPlan>();
  private follower?: { cache: CacheService; stop: () => void };
  private timer?: NodeJS.Timeout;
  private pullTimer?: NodeJS.Timeout;

  constructor(private readonly o: CacheRuntimeOptions) {
    super();
    o.mirror.on('engine', (handle) => this.follow(handle?.cache));
    // Going offline, the mode controller links layers the proxy never linked: not in the log.
    o.mirror.on('keeper', (event) => {
      if (event.kind === 'mode') this.follower?.cache.lookEverywhere();
    });
  }

  /** Samples the size now and then on a timer. */
  start(): void {
    const tick = () => void this.sample('sampled').catch((err: unknown) => this.quiet('sample', err));
    this.timer = setInterval(tick, this.o.sampleIntervalMs ?? 3_600_000);
    this.timer.unref?.();
    tick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.pullTimer) clearTimeout(this.pullTimer);
    this.timer = undefined;
    this.follow(undefined);
  }

  async report(): Promise<CacheReport> {
    const cache = await this.o.mirror.cache();
    // Scanned on the cache's worker, told what the log saw pulled since the last look.
    const report = await cache.report();
    this.o.onUsage?.(report.totals.blobBytes);
    // Each look at the cache is a sample too; close ones fold into one point (see CacheHistory).
    void this.o.history
      .record({ at: this.now(), bytes: report.totals.blobBytes, repositories: report.totals.repositories })
      .catch((err: unknown) => this.quiet('history', err));
    return report;
  }

  async tags(repository: string): Promise<{ repository: string; tags: TagSize[] }> {
    const cache = await this.o.mirror.cache();
    return { repository, tags: await cache.tagSizes(repository) };
  }

  history(): Promise<HistorySample[]> {
    return this.o.history.list();
  }

  async plan(selection: PruneSelection): Promise<PrunePlanView> {
    const cache = await this.o.mirror.cache();
    // Planned on the worker, after a refresh that looks everywhere.
    const plan = await cache.plan(selection);
    const now = this.now();
    for (const [id, kept] of this.plans) if (this.expired(kept, now)) this.plans.delete(id);
    this.plans.set(plan.id, { plan, dataDir: this.dataDir(), at: now });
    while (this.plans.size > MAX_PLANS) this.plans.delete(this.plans.keys().next().value!);
    return planView(plan);
  }

  /** Runs a plan this runtime made, once. */
  async prune(planId: string): Promise<PruneResult> {
    const kept = this.plans.get(planId);
    if (!kept || this.expired(kept, this.now())) {
      this.plans.delete(planId);
      throw new AppError('INVALID_INPUT', 'this preview is no longer current: preview the prune again');
    }
    // The plan names directories of one data directory: never run it against another.
    if (kept.dataDir !== this.dataDir()) {
      this.plans.delete(planId);
      throw new AppError('INVALID_INPUT', 'the data directory changed since the preview: preview again');
    }
    this.plans.delete(planId);
    const result = await this.o.mirror.exclusive('prune', async (handle) => {
      if (!handle.cache) throw new AppError('INTERNAL', 'this engine has no cache');
      return handle.cache.prune(kept.plan, {
        onProgress: (p: PruneProgress) => this.emit('progress', { operation: 'prune', ...p }),
      });
    });
    // Every other plan was made against what was there before; the sample looks everywhere.
    this.plans.clear();
    await this.sample('pruned', true).catch((err: unknown) => this.quiet('sample', err));
    return result;
  }

  async reset(confirmation: string): Promise<ResetResult> {
    // Refused before anything is announced or stopped (the core checks it again).
    if (confirmation !== RESET_CONFIRMATION) {
      throw new AppError(
        'INVALID_INPUT',
        `reset deletes every cached image: confirm with "${RESET_CONFIRMATION}"`,
      );
    }
    const result = await this.o.mirror.exclusive('reset', async (handle) => {
      if (!handle.cache) throw new AppError('INTERNAL', 'this engine has no cache');
      return handle.cache.reset(confirmation, (step) =>
        this.emit('progress', { operation: 'reset', step, ...RESET_STEPS[step] }),
      );
    });
    this.plans.clear();
    await this.sample('reset', true).catch((err: unknown) => this.quiet('sample', err));
    return result;
  }

  /** Measures the size (a refresh that looks everywhere), keeps it in the history and tells the UI. */
  private async sample(reason: CacheChange['reason'], force = false): Promise<void> {
    const cache = await this.o.mirror.cache();
    const summary = await cache.summary({ whole: true });
    this.o.onUsage?.(summary.blobBytes);
    await this.o.history.record(
      { at: this.now(), bytes: summary.blobBytes, repositories: summary.repositories.length },
      { force },
    );
    this.emit('changed', { reason, at: this.now() });
  }

  /**
   * Follows the mirror's log: a pull shows up in the UI moments after it happened (and the cache's
   * next refresh is told what was pulled). The handle before, dropped, has its scan worker stopped.
   */
  private follow(cache: CacheService | undefined): void {
    if (this.follower?.cache === cache) return;
    this.follower?.stop();
    this.follower = undefined;
    if (!cache) return;
    let stopped = false;
    let unsubscribe = () => {};
    this.follower = {
      cache,
      stop: () => {
        stopped = true;
        unsubscribe();
        void cache.tracker.stop();
        void cache.close().catch((err: unknown) => this.quiet('scan worker', err));
      },
    };
    // The records on disk first: a follower starting from nothing would save only this log's pulls.
    void cache.tracker
      .load()
      .then(() => {
        if (stopped) return;
        unsubscribe = cache.tracker.onChange(() => this.pulled());
        cache.tracker.start();
      })
      .catch((err: unknown) => this.quiet('pull records', err));
  }

  private pulled(): void {
    if (this.pullTimer) clearTimeout(this.pullTimer);
    this.pullTimer = setTimeout(() => {
      this.emit('changed', { reason: 'pulled', at: this.now() });
      this.pullTimer = setTimeout(() => {
        this.pullTimer = undefined;
        this.emit('changed', { reason: 'pulled', at: this.now() });
      }, this.o.pullSettleMs ?? 3000);
    }, this.o.pullQuietMs ?? 1000);
  }

  private expired(kept: KeptPlan, now: number): boolean {
    return now - kept.at > (this.o.planTtlMs ?? 15 * 60_000);
  }

  private dataDir(): string {
    const settings = this.o.mirror.mirrorSettings;
    if (!settings) throw new AppError('ENGINE_UNREACHABLE', 'the mirror is not set up yet');
    return settings.dataDir;
  }

  private quiet(what: string, err: unknown): void {
    this.o.log.warn(`cache ${what} failed`, { message: messageOf(err) });
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }
}
