// What the 2.8 garbage collector marks (registry/storage/garbagecollect.go): for every repository it
// enumerates (one with a `_layers` directory), every manifest revision whose blob exists, and the
// digests that manifest references. It does not follow an index into its platform manifests' layers:
// those are marked through the platform manifests' own revision links (a pull links them).
// Checked against `docker-registry garbage-collect --dry-run` in the tests.
import type { ParsedManifest } from './manifest.js';
import type { RepositoryRead } from './repository-read.js';
import { join } from 'node:path';
import type { MissingLink, MissingReference, RemovalPlan, RepositoryScan, ScanResult } from './types.js';

export type RepositoryMarks = Pick<
  RepositoryScan,
  | 'name'
  | 'gcEnumerated'
  | 'blobs'
  | 'totalBytes'
  | 'exclusiveBytes'
  | 'sharedBytes'
  | 'missingReferences'
  | 'manifestProblems'
>;

/** The digests GC marks from one repository, and what its manifests reference but the store lacks. */
export function markRepository(
  read: Pick<RepositoryRead, 'name' | 'revisions'>,
  manifests: ReadonlyMap<string, ParsedManifest>,
  sizes: ReadonlyMap<string, number>,
): Pick<RepositoryMarks, 'blobs' | 'missingReferences' | 'manifestProblems'> {
  const marked = new Set<string>();
  const missingReferences: MissingReference[] = [];
  const manifestProblems: Array<{ digest: string; error: string }> = [];
  for (const revision of read.revisions) {
    // GC enumerates a revision only if its blob exists (a dangling link is skipped silently).
    if (!sizes.has(revision)) continue;
    marked.add(revision);
    const parsed = manifests.get(revision);
    if (!parsed) continue;
    if (!parsed.ok) {
      manifestProblems.push({ digest: revision, error: parsed.error });
      continue;
    }
    for (const ref of parsed.references) {
      marked.add(ref.digest);
      if (!sizes.has(ref.digest)) {
        missingReferences.push({
          digest: ref.digest,
          role: ref.role,
          manifest: revision,
          ...(ref.platform ? { platform: ref.platform } : {}),
        });
      }
    }
  }
  return { blobs: [...marked].sort(), missingReferences, manifestProblems };
}

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

/** Fills in the byte totals of every repository and the cache-wide marks and orphans. */
export function summarize(
  repos: Array<Omit<RepositoryMarks, 'totalBytes' | 'exclusiveBytes' | 'sharedBytes'>>,
  sizes: ReadonlyMap<string, number>,
): {
  repositories: RepositoryMarks[];
  referencedBytes: number;
  orphans: { digests: string[]; bytes: number };
} {
  const counts = markCounts(repos);
  const repositories = repos.map((repo) => {
    let totalBytes = 0;
    let exclusiveBytes = 0;
    for (const d of repo.blobs) {
      const size = sizes.get(d);
      if (size === undefined) continue;
      totalBytes += size;
      // Exclusive: freed by GC once this repository is gone (no other enumerated repository marks it).
      if ((counts.get(d) ?? 0) === (repo.gcEnumerated ? 1 : 0)) exclusiveBytes += size;
    }
    return { ...repo, totalBytes, exclusiveBytes, sharedBytes: totalBytes - exclusiveBytes };
  });
  let referencedBytes = 0;
  const orphans: string[] = [];
  let orphanBytes = 0;
  for (const [digest, size] of sizes) {
    if (counts.has(digest)) referencedBytes += size;
    else {
      orphans.push(digest);
      orphanBytes += size;
    }
  }
  return { repositories, referencedBytes, orphans: { digests: orphans.sort(), bytes: orphanBytes } };
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

/** Links whose blob is gone (expiry deletes blobs other repositories still link) and unreadable links. */
export function collectLinks(
  reads: RepositoryRead[],
  sizes: ReadonlyMap<string, number>,
  repositoriesDir: string,
): { missing: MissingLink[]; unreadable: string[] } {
  const missing: MissingLink[] = [];
  const unreadable: string[] = [];
  for (const r of reads) {
    const add = (kind: MissingLink['kind'], digest: string, tag?: string) => {
      if (!sizes.has(digest)) missing.push({ repository: r.name, kind, digest, ...(tag ? { tag } : {}) });
    };
    for (const d of r.layerLinks) add('layer', d);
    for (const d of r.revisions) add('revision', d);
    for (const t of r.tags) {
      if (t.currentDigest) add('tag-current', t.currentDigest, t.name);
      for (const d of t.indexDigests) add('tag-index', d, t.name);
    }
    for (const rel of r.unreadableLinks) unreadable.push(join(repositoriesDir, r.name, rel));
  }
  return { missing, unreadable };
}
