// The cache as one service over a mirror: report, plan and run prunes, reset, recover.
// The CLI makes one per command; the app keeps one per engine handle (and follows the log live).
//
// The store is scanned on a worker thread that keeps its model of the store between calls; each refresh
// is told what the access log saw pulled since (refresh-hints.ts), so after a pull of R it reads R and
// the blobs R newly links, not the whole store. Prune plans look everywhere.
import type Docker from 'dockerode';
import { join } from 'node:path';
import type { Mirror } from '../mirror/mirror.js';
import { registryMajorOf } from '../mirror/registry-config.js';
import { mirrorDirs } from '../mirror/settings.js';
import { jsonFileStore } from '../settings/json-file.js';
import { AppError } from '../util/errors.js';
import { AccessTracker } from './access/tracker.js';
import { executePrune, type PruneOptions, type PruneResult } from './prune/execute.js';
import { planPrune, type PruneItem, type PrunePlan } from './prune/plan.js';
import { recoverPrune, type RecoveryResult } from './prune/recover.js';
import { RefreshHints, type RefreshTicket } from './refresh-hints.js';
import { buildReport, type CacheReport } from './report.js';
import { resetCache, type ResetOptions, type ResetResult } from './reset.js';
import { selectByRule, type RetentionRule } from './retention.js';
import type { ScanSummary } from './scan/summary.js';
import type { TagSize } from './scan/tag-sizes.js';
import type { ScanResult } from './scan/types.js';
import { volumeSpace } from './scan/volume.js';
import { createWorkerScanner, type WorkerScanner } from './scan/worker-scanner.js';
import { StatsCollector } from './stats/collector.js';
import { emptyTotals, viewOf, type CacheStatsView } from './stats/totals.js';

export type PruneSelection =
  | { kind: 'items'; items: PruneItem[] }
  | { kind: 'unused'; days: number }
  | { kind: 'shrink'; targetBytes: number }
  | { kind: 'quota'; quotaBytes: number | null };

export interface CacheServiceOptions {
  docker: Docker;
  mirror: Mirror;
  /** where access.json and stats.json live */
  stateDir: string;
  /** the clock, so retention can be tested without sleeping */
  now?: () => number;
  /** the scan worker of the store (default: `createWorkerScanner`; tests wrap it) */
  scanner?: (storeRoot: string) => WorkerScanner;
  /** how long a pulled repository stays in every refresh's hint (default 15 s; see RefreshHints) */
  hintHoldMs?: number;
}

export class CacheService {
  readonly tracker: AccessTracker;
  readonly stats: StatsCollector;
  private readonly storeRoot: string;
  /**
   * The storage scanner, on a worker thread, made on first use (a service whose callers bring their
   * own scans never starts one). It keeps its model of the store between calls: each look after the
   * first re-reads only what changed. It does not keep the process alive while idle.
   */
  private worker?: WorkerScanner;
  private closed = false;
  /** What the next refresh is told, from the access log's changes (every ingest: follower or catch-up). */
  private readonly hints: RefreshHints;

  constructor(private readonly o: CacheServiceOptions) {
    this.tracker = new AccessTracker(
      o.docker,
      o.mirror.settings.containerName,
      jsonFileStore(join(o.stateDir, 'access.json')),
      // The logs of containers removed since (mode switches, recreations) wait there to be counted.
      o.mirror.remoteStorage ? {} : { dataDir: o.mirror.settings.dataDir },
    );
    this.stats = new StatsCollector(o.mirror, jsonFileStore(join(o.stateDir, 'stats.json')));
    this.storeRoot = mirrorDirs(o.mirror.settings).data;
    this.hints = new RefreshHints(o.hintHoldMs !== undefined ? { holdMs: o.hintHoldMs } : {});
    this.tracker.onChange((change) => this.hints.changed(change, this.now()));
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  /** Loads pull records and reads the log up to now. */
  async sync(): Promise<void> {
    await this.tracker.load();
    await this.tracker.catchUp().catch(() => 0);
  }

  private scanner(): WorkerScanner {
    // Closed (the engine handle it served was dropped): never start another worker nobody would stop.
    if (this.closed) throw new AppError('ENGINE_UNREACHABLE', 'the mirror changed meanwhile: try again');
    // Marks follow the collector of the registry the mirror runs (2.8 and 3.x enumerate differently).
    return (this.worker ??= this.o.scanner
      ? this.o.scanner(this.storeRoot)
      : createWorkerScanner(this.storeRoot, { registry: registryMajorOf(this.o.mirror.settings.image) }));
  }

  /** Runs one refresh on the worker as the hints say (or looking everywhere), and notes what it saw. */
  private async refreshed<T>(
    whole: boolean,
    run: (worker: WorkerScanner, ticket: RefreshTicket) => Promise<T>,
  ): Promise<T> {
    const worker = this.scanner();
    const ticket = this.hints.begin(this.now(), whole);
    const value = await run(worker, ticket).catch((err: unknown) => {
      throw this.closed ? new AppError('ENGINE_UNREACHABLE', 'the mirror changed meanwhile: try again') : err;
    });
    this.hints.done(ticket);
    return value;
  }

  /** The whole scan (digest lists included), made on the worker after a refresh that looks everywhere. */
  scan(): Promise<ScanResult> {
    return this.refreshed(true, (worker) => worker.refresh());
  }

  /**
   * The store's summary, refreshed on the worker: told the repositories the access log saw pulled since
   * (as far as it was read: `report` reads it up to now first; the app's follower reads it live), or
   * looking everywhere when `whole` or when nothing else can be trusted (the first refresh, after a
   * prune or reset, after a change the log did not tie to a repository).
   */
  summary(options: { whole?: boolean } = {}): Promise<ScanSummary> {
    return this.refreshed(options.whole ?? false, (worker, { hint }) => worker.refreshSummary(hint));
  }

  /** The next refresh looks everywhere: the store changed in a way the access log does not tell. */
  lookEverywhere(): void {
    this.hints.everything();
  }

  /** Every tag of a repository with its image's size, read on the worker. */
  tagSizes(repository: string): Promise<TagSize[]> {
    return this.scanner().tagSizes(repository);
  }

  /** Stops the scan worker, if one was started; the service scans no more. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    await worker?.close();
  }

  async report(scan?: ScanResult): Promise<CacheReport> {
    // The log is read up to now first: what it adds is in the refresh's hint.
    await this.sync();
    // Without a scan given: the worker's summary, all a report needs (no digest lists cross).
    const s: ScanResult | ScanSummary = scan ?? (await this.summary());
    const volume = await volumeSpace(this.storeRoot).catch(() => ({ freeBytes: 0, totalBytes: 0 }));
    return buildReport(s, this.tracker.records, volume, await this.statistics(false));
  }

  /** Hit ratio and traffic saved: blob counts from the log, manifest counts from the registry. */
  async statistics(sync = true): Promise<CacheStatsView> {
    if (sync) await this.sync();
    const blobs = this.tracker.records.blobs;
    return this.stats.sample(blobs).catch(() => viewOf(emptyTotals(), blobs));
  }

  /**
   * A prune plan for a selection. With a scan given, planned here on it; without, planned on the worker
   * right after a refresh that looks everywhere (a prune takes things away: its preview trusts no hint;
   * retention rules count every repository's blobs, worker work on a large store).
   */
  async plan(selection: PruneSelection, scan?: ScanResult): Promise<PrunePlan> {
    await this.sync();
    const access = this.tracker.records;
    let rule: RetentionRule;
    switch (selection.kind) {
      case 'items':
        if (!selection.items.length)
          throw new AppError('INVALID_INPUT', 'choose at least one repository or tag');
        if (scan) return planPrune(scan, this.storeRoot, selection.items, 'chosen');
        return this.refreshed(true, (worker) =>
          worker.planNow({ kind: 'items', items: selection.items, reason: 'chosen' }),
        );
      case 'unused':
        if (!(selection.days >= 0)) throw new AppError('INVALID_INPUT', 'days must be zero or more');
        rule = selection;
        break;
      case 'shrink':
        if (!(selection.targetBytes >= 0))
          throw new AppError('INVALID_INPUT', 'the target size must be zero or more');
        rule = selection;
        break;
      case 'quota':
        rule = selection;
        break;
    }
    if (!scan) return this.refreshed(true, (worker) => worker.planNow(rule, access, this.now()));
    const { items, reason } = selectByRule(scan, access, rule, this.now());
    return planPrune(scan, this.storeRoot, items, reason);
  }

  async prune(plan: PrunePlan, opts: PruneOptions = {}): Promise<PruneResult> {
    try {
      await this.recover();
      // The sweep looks at the store through the worker's model: a look after the first re-reads only
      // what changed (the removal, pulls meanwhile), not the whole store.
      const result = await executePrune(this.o.docker, this.o.mirror, plan, {
        look: (ask) => this.refreshed(true, (worker) => worker.look(ask)),
        ...opts,
      });
      await this.spaceFreed();
      return result;
    } finally {
      // Repositories moved away, blobs collected (or half of it, rolled back): nothing the log tells.
      this.hints.everything();
    }
  }

  private async spaceFreed(): Promise<void> {
    await this.tracker.load();
    this.tracker.records.spaceFreedAt = this.now();
    await this.tracker.flush();
  }

  /** Resolves an interrupted prune (see recoverPrune); the next refresh looks everywhere. */
  recover(): Promise<RecoveryResult> {
    this.hints.everything();
    return recoverPrune(this.o.docker, this.o.mirror);
  }

  /** Deletes the cache; an interrupted prune is moot then (its trash goes too, nothing is collected). */
  async reset(
    confirmation: string,
    onProgress?: Parameters<typeof resetCache>[2],
    opts: Pick<ResetOptions, 'mode'> = {},
  ): Promise<ResetResult> {
    try {
      const result = await resetCache(this.o.mirror, confirmation, onProgress, {
        ...opts,
        docker: this.o.docker,
      });
      await this.spaceFreed();
      return result;
    } finally {
      this.hints.everything();
    }
  }
}
