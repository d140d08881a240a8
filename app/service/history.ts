// The cache's size over time, as the app samples it: a small capped list behind a JsonStore (the app's
// state directory), so the Disk view can draw a history the registry itself does not keep.
import { z } from 'zod';
import { historySampleSchema, type HistorySample } from '../contract/values.js';
import type { JsonStore } from '../settings/json-file.js';

/** Enough for a sample an hour for a month, plus the extra samples prunes and pulls add. */
export const HISTORY_LIMIT = 1000;
/** Samples closer than this replace the newest one instead of adding another (unless forced). */
export const MIN_GAP_MS = 10 * 60_000;

const documentSchema = z.object({ version: z.literal(1), samples: z.array(historySampleSchema) });

export class CacheHistory {
  private samples?: HistorySample[];
  private writing = Promise.resolve();

  constructor(
    private readonly store: JsonStore,
    private readonly opts: { limit?: number; minGapMs?: number } = {},
  ) {}

  /** Oldest first. A file that cannot be read starts an empty history (it is only a chart). */
  async list(): Promise<HistorySample[]> {
    if (!this.samples) {
      const raw = await this.store.read().catch(() => undefined);
      const parsed = documentSchema.safeParse(raw);
      this.samples = parsed.success ? parsed.data.samples.sort((a, b) => a.at - b.at) : [];
    }
    return [...this.samples];
  }

  /**
   * Adds a sample. While the newest sample is within the minimum gap of the one before it, a new one
   * replaces it (points stay about a gap apart, the last one always current, and the file does not
   * grow on every refresh); `force` (after a prune or reset) always adds, so a drop is its own point.
   */
  async record(sample: HistorySample, opts: { force?: boolean } = {}): Promise<HistorySample[]> {
    const list = await this.list();
    const last = list.at(-1);
    if (last && sample.at < last.at) return list;
    const gap = this.opts.minGapMs ?? MIN_GAP_MS;
    const before = list.at(-2);
    // The newest sample moves forward while it is within the gap of the one before it.
    if (last && before && !opts.force && last.at - before.at < gap) list[list.length - 1] = sample;
    else list.push(sample);
    const limit = this.opts.limit ?? HISTORY_LIMIT;
    this.samples = list.slice(-limit);
    const snapshot = { version: 1 as const, samples: this.samples };
    this.writing = this.writing.then(() => this.store.write(snapshot)).catch(() => {});
    await this.writing;
    return [...this.samples];
  }
}
