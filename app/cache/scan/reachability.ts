// Removal plans on a scan result: which blobs removing repositories (then running the 2.8 garbage
// collector) frees. What GC marks per repository is computed by the scanner (store-model.ts); this
// works on its result alone. Checked against `docker-registry garbage-collect --dry-run` in the tests.
import type { RemovalPlan, RepositoryScan, ScanResult } from './types.js';

/** How many GC-enumerated repositories mark each digest. */
function markCounts(
  repos: ReadonlyArray<Pick<RepositoryScan, 'name' | 'gcEnumerated' | 'blobs'>>,
  skip?: Set<string>,
) {
  const counts = new Map<string, number>();
  for (const repo of repos) {
    if (!repo.gcEnumerated || skip?.has(repo.name)) continue;
    for (const d of repo.blobs) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  return counts;
}

/**
 * Exactly which blobs removing the named repositories (then running GC) would free: present blobs they
 * reach that no remaining GC-enumerated repository marks. Pure: works on a scan result alone.
 */
export function planRepositoryRemoval(
  scan: Pick<ScanResult, 'repositories' | 'blobSizes' | 'orphans'>,
  names: Iterable<string>,
): RemovalPlan {
  const wanted = new Set(names);
  const removed = scan.repositories.filter((r) => wanted.has(r.name));
  const found = new Set(removed.map((r) => r.name));
  const remaining = markCounts(scan.repositories, found);
  const freed = new Set<string>();
  for (const repo of removed) {
    for (const d of repo.blobs) if (Object.hasOwn(scan.blobSizes, d) && !remaining.has(d)) freed.add(d);
  }
  const size = (d: string) => scan.blobSizes[d] ?? 0;
  const digests = [...freed].sort();
  const bytes = digests.reduce((sum, d) => sum + size(d), 0);
  const alreadyOrphaned = scan.orphans.digests.filter((d) => !freed.has(d));
  return {
    repositories: [...found].sort(),
    unknown: [...wanted].filter((n) => !found.has(n)).sort(),
    digests,
    bytes,
    gcDigestCount: digests.length + alreadyOrphaned.length,
    gcBytes: bytes + alreadyOrphaned.reduce((sum, d) => sum + size(d), 0),
  };
}
