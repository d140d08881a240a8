import { describe, expect, it } from 'vitest';
import type { ProxyStats } from '../../mirror/http.js';
import { emptyTotals, foldSample, viewOf } from './totals.js';

const c = (req: number, miss: number, pulled: number, pushed: number) => ({
  requests: req,
  hits: req - miss,
  misses: miss,
  bytesPulled: pulled,
  bytesPushed: pushed,
});
const s = (req: number, miss: number, pulled: number, pushed: number): ProxyStats => ({
  blobs: c(req, miss, pulled, pushed),
  manifests: c(req, miss, pulled, pushed),
});

describe('cache totals', () => {
  it('keeps counting across registry restarts', () => {
    let t = emptyTotals();
    t = foldSample(t, s(2, 2, 200, 100), 'start-1');
    t = foldSample(t, s(4, 2, 200, 200), 'start-1');
    // Restart: counters start again from zero; the container start time changed too.
    t = foldSample(t, s(1, 0, 0, 50), 'start-2');
    t = foldSample(t, s(3, 1, 100, 150), 'start-2');
    expect(t.base.blobs.requests + t.last.blobs.requests).toBe(7);
    expect(t.base.manifests.requests + t.last.manifests.requests).toBe(7);
    expect(viewOf(t).manifests).toMatchObject({
      requests: 7,
      misses: 3,
      hits: 4,
      bytesPulled: 300,
      bytesPushed: 350,
    });
  });
  it('notices a reset from the counters alone', () => {
    let t = foldSample(emptyTotals(), s(10, 5, 0, 0), 'same');
    t = foldSample(t, s(2, 1, 0, 0), 'same');
    expect(viewOf(t).manifests.requests).toBe(12);
  });
  it('takes hits and misses of blobs from the access log', () => {
    const v = viewOf(emptyTotals(), {
      requests: 4,
      hits: 3,
      misses: 1,
      bytesFromCache: 300,
      bytesFromUpstream: 100,
    });
    expect(v).toMatchObject({ hitRatio: 0.75, bytesSaved: 300, bytesFromUpstream: 100, bytesServed: 400 });
  });
  it('has no hit ratio before any request', () => {
    expect(viewOf(emptyTotals()).hitRatio).toBeNull();
  });
});
