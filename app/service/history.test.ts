import { describe, expect, it } from 'vitest';
import { memoryStore } from '../settings/json-file.js';
import { CacheHistory } from './history.js';

const MIN = 60_000;
const s = (at: number, bytes: number) => ({ at, bytes, repositories: 1 });

describe('CacheHistory', () => {
  it('keeps samples apart by the minimum gap: the newest moves forward until the gap is reached', async () => {
    const h = new CacheHistory(memoryStore(), { minGapMs: 10 * MIN });
    await h.record(s(0, 100));
    await h.record(s(1 * MIN, 110));
    await h.record(s(2 * MIN, 120));
    expect((await h.list()).map((x) => [x.at, x.bytes])).toEqual([
      [0, 100],
      [2 * MIN, 120],
    ]);
    await h.record(s(12 * MIN, 130));
    await h.record(s(13 * MIN, 140));
    expect((await h.list()).map((x) => x.at)).toEqual([0, 12 * MIN, 13 * MIN]);
  });

  it('always adds a forced sample (a prune shows as its own point) and ignores samples from the past', async () => {
    const h = new CacheHistory(memoryStore(), { minGapMs: 10 * MIN });
    await h.record(s(0, 100));
    await h.record(s(MIN, 100));
    await h.record(s(2 * MIN, 40), { force: true });
    await h.record(s(MIN / 2, 999));
    expect((await h.list()).map((x) => x.bytes)).toEqual([100, 100, 40]);
  });

  it('caps its length, keeping the newest, and reads back what it wrote', async () => {
    const store = memoryStore();
    const h = new CacheHistory(store, { limit: 3, minGapMs: 0 });
    for (let i = 0; i < 5; i++) await h.record(s(i * MIN, i));
    expect((await h.list()).map((x) => x.bytes)).toEqual([2, 3, 4]);
    expect((await new CacheHistory(store).list()).map((x) => x.bytes)).toEqual([2, 3, 4]);
  });

  it('starts empty from a store that holds something else', async () => {
    expect(await new CacheHistory(memoryStore({ version: 9, samples: 'no' })).list()).toEqual([]);
  });
});
