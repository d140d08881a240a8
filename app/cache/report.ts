// What is cached and what it costs, as one value for the CLI and the UI: per repository its tags,
// sizes (total, reclaimable, shared), last pull and pull count; the cache's totals and the volume's room.
import type { AccessRecords } from './access/records.js';
import { lastPullOf } from './retention.js';
import type { CacheStatsView } from './stats/totals.js';
import type { RepositoryScan, ScanResult } from './scan/types.js';

/** What a report reads of a scan: a full ScanResult or the worker's ScanSummary both have it. */
export type ReportScan = Pick<
  ScanResult,
  'scannedAt' | 'blobBytes' | 'diskBytes' | 'uploads' | 'missingLinks'
> & {
  orphans: { bytes: number };
  repositories: Array<
    Pick<RepositoryScan, 'name' | 'tags' | 'totalBytes' | 'exclusiveBytes' | 'sharedBytes'>
  >;
};

export interface CacheTag {
  name: string;
  digest: string | null;
  /** ms since epoch; 0 when unknown */
  lastPull: number;
  pulls: number;
}

export interface CacheRepository {
  name: string;
  tags: CacheTag[];
  totalBytes: number;
  /** what pruning this repository alone frees */
  exclusiveBytes: number;
  sharedBytes: number;
  lastPull: number;
  pulls: number;
  /** pulls by digest (no tag) */
  digestPulls: number;
}

export interface CacheReport {
  scannedAt: number;
  repositories: CacheRepository[];
  totals: {
    repositories: number;
    tags: number;
    /** deduplicated bytes of every blob */
    blobBytes: number;
    /** the data directory as du counts it */
    diskBytes: number;
    /** blobs no repository references: the next prune frees them */
    orphanBytes: number;
    uploads: { count: number; bytes: number };
    missingLinks: number;
  };
  /** full: the registry failed to write for lack of space (in the last day, since space was last freed),
   * and the volume is still nearly full or nothing was stored since */
  volume: { freeBytes: number; totalBytes: number; full: boolean };
  stats: CacheStatsView;
}

/**
 * A write that failed for lack of space in the last day, since space was last freed, and either the
 * volume is still nearly full or nothing was stored since. 2.8 leaves the partial upload behind (the
 * volume stays full); 3.x deletes it, so the volume looks roomy while every copy that does not fit
 * keeps failing: then only a successful store after the error says there is room again.
 */
export function volumeFull(
  access: Pick<AccessRecords, 'diskFullAt' | 'spaceFreedAt' | 'lastStoredAt'>,
  scannedAt: number,
  volume: { freeBytes: number; totalBytes: number },
): boolean {
  const failedAt = access.diskFullAt ?? 0;
  if (failedAt <= Math.max(scannedAt - 86_400_000, access.spaceFreedAt ?? 0)) return false;
  return volume.freeBytes < volume.totalBytes * 0.1 || (access.lastStoredAt ?? 0) < failedAt;
}

export function buildReport(
  scan: ReportScan,
  access: AccessRecords,
  volume: Omit<CacheReport['volume'], 'full'>,
  stats: CacheStatsView,
): CacheReport {
  const repositories = scan.repositories.map((r): CacheRepository => {
    const a = access.repos[r.name];
    return {
      name: r.name,
      tags: r.tags.map((t) => ({
        name: t.name,
        digest: t.currentDigest,
        lastPull: Math.max(t.linkMtime, a?.tags[t.name]?.lastPull ?? 0),
        pulls: a?.tags[t.name]?.pulls ?? 0,
      })),
      totalBytes: r.totalBytes,
      exclusiveBytes: r.exclusiveBytes,
      sharedBytes: r.sharedBytes,
      lastPull: lastPullOf(r, access),
      pulls: a?.pulls ?? 0,
      digestPulls: Object.values(a?.digests ?? {}).reduce((n, d) => n + d.pulls, 0),
    };
  });
  return {
    scannedAt: scan.scannedAt,
    repositories,
    totals: {
      repositories: repositories.length,
      tags: repositories.reduce((n, r) => n + r.tags.length, 0),
      blobBytes: scan.blobBytes,
      diskBytes: scan.diskBytes,
      orphanBytes: scan.orphans.bytes,
      uploads: scan.uploads,
      missingLinks: scan.missingLinks.length,
    },
    volume: { ...volume, full: volumeFull(access, scan.scannedAt, volume) },
    stats,
  };
}
