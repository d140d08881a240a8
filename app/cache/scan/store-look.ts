// What a prune's sweep needs of a look at the store (prune/sweep.ts): small, so it crosses from the scan
// worker cheaply, and made from the worker's model without building a whole scan result
// (StoreModel.sweepLook) or, where there is only a scan result, from that (lookOf). The two agree
// (store-look.test.ts).
import type { MissingLink, ScanResult } from './types.js';

export interface StoreLook {
  blobCount: number;
  /** present blobs no GC-enumerated repository marks (what the 2.8 collector deletes), with their sizes */
  orphans: Array<{ digest: string; size: number }>;
  /** of the digests asked about, those some GC-enumerated repository marks */
  marked: string[];
  /** links to the digests asked about whose blob the store does not hold */
  missingLinks: MissingLink[];
  /** why the sweep cannot judge this store; absent when it can */
  problem?: string;
}

/** The sweep's reason to leave a store to the registry's collector, in the user's words. */
export function problemOf(
  broken: { repository: string; error: string } | undefined,
  unreadableLink: string | undefined,
): string | undefined {
  if (broken) return `${broken.repository} has a manifest that cannot be read (${broken.error})`;
  if (unreadableLink !== undefined) return `a link file does not hold a digest: ${unreadableLink}`;
  return undefined;
}

/** The look, made from a scan result. */
export function lookOf(scan: ScanResult, ask: readonly string[] = []): StoreLook {
  const asked = new Set(ask);
  const marked = new Set<string>();
  if (asked.size) {
    for (const r of scan.repositories) {
      if (!r.gcEnumerated) continue;
      for (const d of r.blobs) if (asked.has(d)) marked.add(d);
    }
  }
  const broken = scan.repositories.find((r) => r.manifestProblems.length > 0);
  const problem = problemOf(
    broken && { repository: broken.name, error: broken.manifestProblems[0]!.error },
    scan.unreadableLinks[0],
  );
  return {
    blobCount: scan.blobCount,
    orphans: scan.orphans.digests.map((digest) => ({ digest, size: scan.blobSizes[digest] ?? 0 })),
    marked: ask.filter((d) => marked.has(d)),
    missingLinks: asked.size ? scan.missingLinks.filter((l) => asked.has(l.digest)) : [],
    ...(problem !== undefined ? { problem } : {}),
  };
}
