// A prune plan: the exact directories to take away and the exact bytes garbage collection will then
// free, computed before anything happens (the preview), with the marking rules of the 2.8 collector.
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { AppError } from '../../util/errors.js';
import type { RepositoryScan, ScanResult } from '../scan/types.js';
import { checkRepository, checkTag, within } from './names.js';
import { expandManifests, manifestReferences, readTagRoots } from './tag-graph.js';

export interface PruneItem {
  repo: string;
  /** absent: the whole repository */
  tag?: string;
}

export interface PrunePlan {
  id: string;
  createdAt: number;
  /** why these were chosen, for people: "chosen", "not pulled for 30 days", "shrink to 10 GB" */
  reason: string;
  repositories: string[];
  tags: Array<{ repo: string; tag: string; revisions: string[] }>;
  /** directories to take away, relative to the registry's storage root */
  removals: string[];
  /** blobs the removal leaves unreferenced: what garbage collection frees because of this plan */
  digests: string[];
  bytes: number;
  /** blobs already unreferenced before the plan; the same collection frees them too */
  orphanBytes: number;
  totalBefore: number;
}

const REPOS = 'docker/registry/v2/repositories';

async function names(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

export async function planPrune(
  scan: ScanResult,
  storeRoot: string,
  items: PruneItem[],
  reason = 'chosen',
): Promise<PrunePlan> {
  const byRepo = new Map<string, Set<string> | 'all'>();
  for (const item of items) {
    checkRepository(item.repo);
    if (item.tag === undefined) byRepo.set(item.repo, 'all');
    else {
      checkTag(item.tag);
      const cur = byRepo.get(item.repo);
      if (cur !== 'all') byRepo.set(item.repo, (cur ?? new Set()).add(item.tag));
    }
  }
  const scanned = new Map(scan.repositories.map((r) => [r.name, r]));
  const unknown = [...byRepo.keys()].filter((r) => !scanned.has(r));
  if (unknown.length) throw new AppError('INVALID_INPUT', `not in the cache: ${unknown.join(', ')}`);

  const after = new Map<string, string[] | null>(); // repo -> marks after the prune (null: gone)
  const plan: PrunePlan = {
    id: randomUUID(),
    createdAt: Date.now(),
    reason,
    repositories: [],
    tags: [],
    removals: [],
    digests: [],
    bytes: 0,
    orphanBytes: scan.orphans.bytes,
    totalBefore: scan.blobBytes,
  };
  for (const [repo, sel] of byRepo) {
    const r = scanned.get(repo)!;
    const tagLevel = sel === 'all' ? null : await planTags(storeRoot, r, sel);
    if (!tagLevel) {
      plan.repositories.push(repo);
      // Only our own subdirectories: a nested repository (repo/child) below it stays.
      for (const sub of ['_manifests', '_layers', '_uploads']) plan.removals.push(`${REPOS}/${repo}/${sub}`);
      after.set(repo, null);
      continue;
    }
    plan.tags.push(...tagLevel.tags);
    plan.removals.push(...tagLevel.removals);
    after.set(repo, tagLevel.marks);
  }

  const marked = (repos: Iterable<[RepositoryScan, string[] | null | undefined]>) => {
    const set = new Set<string>();
    for (const [r, changed] of repos) {
      if (!r.gcEnumerated) continue;
      for (const d of changed === undefined ? r.blobs : (changed ?? [])) set.add(d);
    }
    return set;
  };
  const before = marked(scan.repositories.map((r) => [r, undefined]));
  const remaining = marked(scan.repositories.map((r) => [r, after.get(r.name)]));
  for (const d of before) {
    if (remaining.has(d)) continue;
    const size = scan.blobSizes[d];
    if (size === undefined) continue;
    plan.digests.push(d);
    plan.bytes += size;
  }
  plan.digests.sort();
  // Moving a parent before its child would lose the child's place: deepest first is not needed since
  // removals never nest (tag dirs, revision dirs, layer dirs and whole-repo subdirs are disjoint).
  plan.removals = [...new Set(plan.removals)];
  for (const rel of plan.removals) within(storeRoot, rel);
  return plan;
}

/** Tag-level removal in one repository, or null when nothing of it would remain (then: whole repo). */
async function planTags(storeRoot: string, r: RepositoryScan, tags: Set<string>) {
  const { roots } = await readTagRoots(storeRoot, r.name);
  const missing = [...tags].filter((t) => !roots.has(t));
  if (missing.length) throw new AppError('INVALID_INPUT', `${r.name} has no tag ${missing.join(', ')}`);
  const union = (which: (t: string) => boolean) =>
    [...roots].filter(([t]) => which(t)).flatMap(([, s]) => [...s]);
  const keep = await expandManifests(
    storeRoot,
    union((t) => !tags.has(t)),
  );
  const drop = await expandManifests(
    storeRoot,
    union((t) => tags.has(t)),
  );
  const revisions = new Set(r.revisions);
  const removeRevs = [...drop].filter((d) => !keep.has(d) && revisions.has(d));
  const remainingRevs = r.revisions.filter((d) => !removeRevs.includes(d));
  if (roots.size === tags.size && remainingRevs.length === 0) return null;

  // What GC marks from this repository afterwards: each remaining revision and its direct references.
  const refs = await manifestReferences(storeRoot, remainingRevs);
  const marks = new Set<string>();
  for (const d of remainingRevs) {
    marks.add(d);
    for (const x of refs.get(d) ?? []) marks.add(x);
  }
  const base = `${REPOS}/${r.name}`;
  const removals = [...tags].map((t) => `${base}/_manifests/tags/${t}`);
  for (const d of removeRevs) removals.push(`${base}/_manifests/revisions/sha256/${d.slice(7)}`);
  // A layer link no remaining manifest needs would serve a blob GC deletes: take it away too.
  for (const hex of await names(within(storeRoot, base, '_layers', 'sha256'))) {
    if (!marks.has(`sha256:${hex}`)) removals.push(`${base}/_layers/sha256/${hex}`);
  }
  const perTag = [...tags].map((tag) => ({
    repo: r.name,
    tag,
    revisions: removeRevs.filter((d) => roots.get(tag)!.has(d)),
  }));
  return { tags: perTag, removals, marks: [...marks] };
}
