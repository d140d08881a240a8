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
import { notPulledFor, overQuota, shrinkTo } from './retention.js';
import { scanStore } from './scan/scanner.js';
import type { ScanResult } from './scan/types.js';
import { volumeSpace } from './scan/volume.js';
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

  scan(): Promise<ScanResult> {
    return scanStore(this.storeRoot);
  }

  async report(scan?: ScanResult): Promise<CacheReport> {
    await this.sync();
    const s = scan ?? (await this.scan());
    const volume = await volumeSpace(this.storeRoot).catch(() => ({ freeBytes: 0, totalBytes: 0 }));
    return buildReport(s, this.tracker.records, volume, await this.statistics(false));
  }

  /** Hit ratio and traffic saved: blob counts from the log, manifest counts from the registry. */
  async statistics(sync = true): Promise<CacheStatsView> {
    if (sync) await this.sync();
    const blobs = this.tracker.records.blobs;
    return this.stats.sample(blobs).catch(() => viewOf(emptyTotals(), blobs));
  }

  async plan(selection: PruneSelection, scan?: ScanResult): Promise<PrunePlan> {
    await this.sync();
    const s = scan ?? (await this.scan());
    const access = this.tracker.records;
    switch (selection.kind) {
      case 'items':
        if (!selection.items.length)
          throw new AppError('INVALID_INPUT', 'choose at least one repository or tag');
        return planPrune(s, this.storeRoot, selection.items, 'chosen');
      case 'unused':
        if (!(selection.days >= 0)) throw new AppError('INVALID_INPUT', 'days must be zero or more');
        return planPrune(
          s,
          this.storeRoot,
          notPulledFor(s, access, selection.days, this.now()),
          `not pulled for ${selection.days} days`,
        );
      case 'shrink':
        if (!(selection.targetBytes >= 0))
          throw new AppError('INVALID_INPUT', 'the target size must be zero or more');
        return planPrune(
          s,
          this.storeRoot,
          shrinkTo(s, access, selection.targetBytes),
          `shrink to ${selection.targetBytes} bytes`,
        );
      case 'quota':
        return planPrune(s, this.storeRoot, overQuota(s, access, selection.quotaBytes), 'over quota');
    }
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
