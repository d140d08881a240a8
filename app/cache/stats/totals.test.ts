import { describe, expect, it } from 'vitest';
import type { ProxyStats } from '../../mirror/http.js';
import { emptyTotals, foldSample, viewOf } from './totals.js';

const s = (req: number, miss: number, pulled: number, pushed: number): ProxyStats => ({
  blobs: { requests: req, hits: req - miss, misses: miss, bytesPulled: pulled, bytesPushed: pushed },
  manifests: { requests: 0, hits: 0, misses: 0, bytesPulled: 0, bytesPushed: 0 },
});

describe('cache totals', () => {
  it('keeps counting across registry restarts', () => {
    let t = emptyTotals();
    t = foldSample(t, s(2, 2, 200, 100), 'start-1');
    t = foldSample(t, s(4, 2, 200, 200), 'start-1');
    // Restart: counters start again from zero; the container start time changed too.
    t = foldSample(t, s(1, 0, 0, 50), 'start-2');
    t = foldSample(t, s(3, 1, 100, 150), 'start-2');
    const v = viewOf(t);
    expect(v.blobs).toMatchObject({ requests: 7, misses: 3, hits: 4, bytesPulled: 300, bytesPushed: 350 });
    expect(v.hitRatio).toBeCloseTo(4 / 7);
    expect(v.bytesSaved).toBe(50);
  });
  it('notices a reset from the counters alone', () => {
    let t = foldSample(emptyTotals(), s(10, 5, 0, 0), 'same');
    t = foldSample(t, s(2, 1, 0, 0), 'same');
    expect(viewOf(t).blobs.requests).toBe(12);
  });
  it('has no hit ratio before any request', () => {
    expect(viewOf(emptyTotals()).hitRatio).toBeNull();
  });
});
