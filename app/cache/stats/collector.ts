// Samples the mirror's counters and keeps running totals on disk (the registry forgets them on restart).
import type { Mirror } from '../../mirror/mirror.js';
import { readProxyStats } from '../../mirror/http.js';
import type { JsonStore } from '../../settings/json-file.js';
import type { BlobCounters } from '../access/records.js';
import { emptyTotals, foldSample, viewOf, type CacheStatsView, type CacheTotals } from './totals.js';

export class StatsCollector {
  private totals: CacheTotals = emptyTotals();
  private loaded = false;

  constructor(
    private readonly mirror: Mirror,
    private readonly store: JsonStore,
  ) {}

  private async load(): Promise<void> {
    if (this.loaded) return;
    const raw = (await this.store.read()) as CacheTotals | undefined;
    if (raw?.version === 1) this.totals = raw;
    this.loaded = true;
  }

  /** Takes one sample if the mirror runs, saves, and returns the totals so far with the log's blob counts. */
  async sample(blobs?: BlobCounters): Promise<CacheStatsView> {
    await this.load();
    const info = await this.mirror.inspect();
    const url = await this.mirror.debugUrl();
    if (info?.State.Running && url) {
      const stats = await readProxyStats(url);
      if (stats) {
        this.totals = foldSample(this.totals, stats, info.State.StartedAt);
        await this.store.write(this.totals);
      }
    }
    return viewOf(this.totals, blobs);
  }
}
