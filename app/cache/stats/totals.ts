// Running totals of the proxy's counters. The registry resets them when it restarts, so each sample is
// compared with the last: a counter that went down (or a new container start) starts a new segment.
import type { ProxyCounters, ProxyStats } from '../../mirror/http.js';
import { emptyBlobCounters, type BlobCounters } from '../access/records.js';

export interface CacheTotals {
  version: 1;
  /** sums of finished segments */
  base: ProxyStats;
  /** the latest sample of the current segment */
  last: ProxyStats;
  /** the container start the current segment belongs to */
  segmentStartedAt: string;
  updatedAt: string;
}

const zero = (): ProxyCounters => ({ requests: 0, hits: 0, misses: 0, bytesPulled: 0, bytesPushed: 0 });
const zeroStats = (): ProxyStats => ({ blobs: zero(), manifests: zero() });

export const emptyTotals = (): CacheTotals => ({
  version: 1,
  base: zeroStats(),
  last: zeroStats(),
  segmentStartedAt: '',
  updatedAt: '',
});

function add(a: ProxyCounters, b: ProxyCounters): ProxyCounters {
  return {
    requests: a.requests + b.requests,
    hits: a.hits + b.hits,
    misses: a.misses + b.misses,
    bytesPulled: a.bytesPulled + b.bytesPulled,
    bytesPushed: a.bytesPushed + b.bytesPushed,
  };
}

function wentDown(prev: ProxyStats, next: ProxyStats): boolean {
  return next.blobs.requests < prev.blobs.requests || next.manifests.requests < prev.manifests.requests;
}

/** Folds a new sample in. Pure: returns the new totals. */
export function foldSample(
  t: CacheTotals,
  sample: ProxyStats,
  startedAt: string,
  now = new Date(),
): CacheTotals {
  const restarted =
    (t.segmentStartedAt !== '' && startedAt !== t.segmentStartedAt) || wentDown(t.last, sample);
  const base = restarted
    ? { blobs: add(t.base.blobs, t.last.blobs), manifests: add(t.base.manifests, t.last.manifests) }
    : t.base;
  return { version: 1, base, last: sample, segmentStartedAt: startedAt, updatedAt: now.toISOString() };
}

export interface CacheStatsView {
  /** blob downloads, from the access log (2.8's own blob counters never count a miss) */
  blobs: BlobCounters;
  /** manifest requests, from the registry's counters (running totals across restarts) */
  manifests: ProxyCounters;
  /** share of blob downloads served from the cache */
  hitRatio: number | null;
  /** bytes served from the cache: Docker Hub traffic the cache saved */
  bytesSaved: number;
  /** bytes served that the registry fetched from the upstream first (2.8 fetches a miss twice) */
  bytesFromUpstream: number;
  bytesServed: number;
  since: string;
}

export function viewOf(t: CacheTotals, blobs: BlobCounters = emptyBlobCounters()): CacheStatsView {
  return {
    blobs,
    manifests: add(t.base.manifests, t.last.manifests),
    hitRatio: blobs.requests ? blobs.hits / blobs.requests : null,
    bytesSaved: blobs.bytesFromCache,
    bytesFromUpstream: blobs.bytesFromUpstream,
    bytesServed: blobs.bytesFromCache + blobs.bytesFromUpstream,
    since: t.updatedAt,
  };
}
