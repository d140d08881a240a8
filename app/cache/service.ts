// The cache as one service over a mirror: report, plan and run prunes, reset, recover.
// The CLI makes one per command; the app keeps one for its lifetime (and follows the log live).
import type Docker from 'dockerode';
import { join } from 'node:path';
import type { Mirror } from '../mirror/mirror.js';
import { mirrorDirs } from '../mirror/settings.js';
import { jsonFileStore } from '../settings/json-file.js';
import { AppError } from '../util/errors.js';
import { AccessTracker } from './access/tracker.js';
import { executePrune, type PruneOptions, type PruneResult } from './prune/execute.js';
import { planPrune, type PruneItem, type PrunePlan } from './prune/plan.js';
import { recoverPrune, type RecoveryResult } from './prune/recover.js';
import { buildReport, type CacheReport } from './report.js';
import { resetCache, type ResetResult } from './reset.js';
import { selectByRule, type RetentionRule } from './retention.js';
import type { ScanSummary } from './scan/summary.js';
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

  constructor(private readonly o: CacheServiceOptions) {
    this.tracker = new AccessTracker(
      o.docker,
      o.mirror.settings.containerName,
      jsonFileStore(join(o.stateDir, 'access.json')),
    );
    this.stats = new StatsCollector(o.mirror, jsonFileStore(join(o.stateDir, 'stats.json')));
    this.storeRoot = mirrorDirs(o.mirror.settings).data;
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
    return (this.worker ??= createWorkerScanner(this.storeRoot));
  }

  /** The whole scan (digest lists included), made on the worker. */
  scan(): Promise<ScanResult> {
    return this.scanner().refresh();
  }

  /** Stops the scan worker, if one was started. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.close();
  }

  async report(scan?: ScanResult): Promise<CacheReport> {
    await this.sync();
    // Without a scan given: the worker's summary, all a report needs (no digest lists cross).
    const s: ScanResult | ScanSummary = scan ?? (await this.scanner().refreshSummary());
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
   * right after a refresh (retention rules count every repository's blobs: worker work on a large store).
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
        return this.scanner().planNow({ kind: 'items', items: selection.items, reason: 'chosen' });
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
    if (!scan) return this.scanner().planNow(rule, access, this.now());
    const { items, reason } = selectByRule(scan, access, rule, this.now());
    return planPrune(scan, this.storeRoot, items, reason);
  }

  async prune(plan: PrunePlan, opts: PruneOptions = {}): Promise<PruneResult> {
    await this.recover();
    const result = await executePrune(this.o.docker, this.o.mirror, plan, opts);
    await this.spaceFreed();
    return result;
  }

  private async spaceFreed(): Promise<void> {
    await this.tracker.load();
    this.tracker.records.spaceFreedAt = this.now();
    await this.tracker.flush();
  }

  recover(): Promise<RecoveryResult> {
    return recoverPrune(this.o.docker, this.o.mirror);
  }

  async reset(confirmation: string, onProgress?: Parameters<typeof resetCache>[2]): Promise<ResetResult> {
    await this.recover();
    const result = await resetCache(this.o.mirror, confirmation, onProgress);
    await this.spaceFreed();
    return result;
  }
}
