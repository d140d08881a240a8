// What the main thread needs of a scan to show the cache: per repository its tags and byte totals,
// counts instead of digest lists. The full ScanResult of a 60,000-blob store is ~12 MB serialized and
// took ~110 ms of main-thread structured-clone deserialization; the summary is a fraction of that, and
// the worker keeps the full result for what needs it (prune plans, one repository's details).
import type { MissingLink, RefreshWork, RepositoryScan, ScanResult, TagInfo, UploadStats } from './types.js';

export interface RepositorySummary {
  name: string;
  gcEnumerated: boolean;
  tags: TagInfo[];
  /** Length of `RepositoryScan.revisions`. */
  revisionCount: number;
  layerLinks: number;
  /** Length of `RepositoryScan.blobs` (digests GC marks from this repository). */
  blobCount: number;
  totalBytes: number;
  exclusiveBytes: number;
  sharedBytes: number;
  missingReferenceCount: number;
  manifestProblemCount: number;
  uploads: UploadStats;
  diskBytes: number;
}

export interface ScanSummary {
  dataDir: string;
  scannedAt: number;
  durationMs: number;
  /** Sorted by name, as in the scan. */
  repositories: RepositorySummary[];
  blobCount: number;
  blobBytes: number;
  referencedBytes: number;
  orphans: { count: number; bytes: number };
  missingLinks: MissingLink[];
  unreadableLinks: string[];
  uploads: UploadStats;
  diskBytes: number;
  work: RefreshWork;
}

export function summarizeRepository(r: RepositoryScan): RepositorySummary {
  return {
    name: r.name,
    gcEnumerated: r.gcEnumerated,
    tags: r.tags.map(({ name, currentDigest, linkMtime }) => ({ name, currentDigest, linkMtime })),
    revisionCount: r.revisions.length,
    layerLinks: r.layerLinks,
    blobCount: r.blobs.length,
    totalBytes: r.totalBytes,
    exclusiveBytes: r.exclusiveBytes,
    sharedBytes: r.sharedBytes,
    missingReferenceCount: r.missingReferences.length,
    manifestProblemCount: r.manifestProblems.length,
    uploads: { ...r.uploads },
    diskBytes: r.diskBytes,
  };
}

/** The slim view of a scan. Pure: copies what it keeps, so the summary shares nothing with the scan. */
export function summarize(scan: ScanResult): ScanSummary {
  return {
    dataDir: scan.dataDir,
    scannedAt: scan.scannedAt,
    durationMs: scan.durationMs,
    repositories: scan.repositories.map(summarizeRepository),
    blobCount: scan.blobCount,
    blobBytes: scan.blobBytes,
    referencedBytes: scan.referencedBytes,
    orphans: { count: scan.orphans.digests.length, bytes: scan.orphans.bytes },
    missingLinks: scan.missingLinks.map((l) => ({ ...l })),
    unreadableLinks: [...scan.unreadableLinks],
    uploads: { ...scan.uploads },
    diskBytes: scan.diskBytes,
    work: { ...scan.work, repositoriesRead: [...scan.work.repositoriesRead] },
  };
}
