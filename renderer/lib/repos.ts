// The repository list's logic: search, sort, and what a selection means for a prune. Pure, so the
// virtualised list only renders what these return.
import type { CacheRepository } from '../../app/cache/report.js';
import type { PruneItem } from '../../app/cache/prune/plan.js';

export type SortKey = 'size' | 'lastPull' | 'name';

export const SORT_LABELS: Record<SortKey, string> = {
  size: 'Size',
  lastPull: 'Last pull',
  name: 'Name',
};

const byName = (a: CacheRepository, b: CacheRepository) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

const COMPARE: Record<SortKey, (a: CacheRepository, b: CacheRepository) => number> = {
  // Largest first, then by name so equal sizes keep a stable order.
  size: (a, b) => b.totalBytes - a.totalBytes || byName(a, b),
  // Most recent first; never pulled (0) last.
  lastPull: (a, b) => b.lastPull - a.lastPull || byName(a, b),
  name: byName,
};

export function sortRepositories(repos: readonly CacheRepository[], key: SortKey): CacheRepository[] {
  return [...repos].sort(COMPARE[key]);
}

/**
 * Every word of the query must appear in the repository name or one of its tags ("nginx alpine"
 * finds library/nginx with a tag 1.27-alpine). "repo:tag" matches that tag of that repository.
 * Case-insensitive; an empty query keeps everything.
 */
export function filterRepositories(repos: readonly CacheRepository[], query: string): CacheRepository[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [...repos];
  return repos.filter((r) => {
    const name = r.name.toLowerCase();
    return words.every((w) => {
      const colon = w.lastIndexOf(':');
      if (colon > 0) {
        const [repo, tag] = [w.slice(0, colon), w.slice(colon + 1)];
        return name.includes(repo) && r.tags.some((t) => t.name.toLowerCase().includes(tag));
      }
      return name.includes(w) || r.tags.some((t) => t.name.toLowerCase().includes(w));
    });
  });
}

/** A selection key: a repository ("library/nginx") or one of its tags ("library/nginx:1.27"). */
export function tagKey(repo: string, tag: string): string {
  return `${repo}:${tag}`;
}

/**
 * What the chosen keys ask the core to prune. A whole repository makes its chosen tags redundant;
 * every tag of a repository chosen one by one is still a tag-level prune (the core decides whether
 * that empties the repository).
 */
export function pruneItems(selection: ReadonlySet<string>): PruneItem[] {
  const repos = new Set<string>();
  const tags: PruneItem[] = [];
  for (const key of selection) if (!key.includes(':')) repos.add(key);
  for (const key of selection) {
    const colon = key.lastIndexOf(':');
    if (colon < 0) continue;
    const repo = key.slice(0, colon);
    if (!repos.has(repo)) tags.push({ repo, tag: key.slice(colon + 1) });
  }
  return [...[...repos].sort().map((repo) => ({ repo })), ...tags];
}

/** Drops keys of repositories and tags that are no longer cached (after a prune or a reset). */
export function pruneSelection(
  selection: ReadonlySet<string>,
  repos: readonly CacheRepository[],
): Set<string> {
  const live = new Set<string>();
  for (const r of repos) {
    live.add(r.name);
    for (const t of r.tags) live.add(tagKey(r.name, t.name));
  }
  return new Set([...selection].filter((k) => live.has(k)));
}

/**
 * The tags a "repo:tag" query names in this repository ("twotags:v1" -> v1, not v2), or undefined when
 * the query names no tag: then the repository's tags show as usual (all of them, when opened).
 */
export function matchingTags(repo: CacheRepository, query: string): Set<string> | undefined {
  const name = repo.name.toLowerCase();
  let found: Set<string> | undefined;
  for (const w of query.toLowerCase().split(/\s+/)) {
    const colon = w.lastIndexOf(':');
    if (colon <= 0) continue;
    const [r, tag] = [w.slice(0, colon), w.slice(colon + 1)];
    if (!name.includes(r)) continue;
    const tags = repo.tags.filter((t) => t.name.toLowerCase().includes(tag)).map((t) => t.name);
    found = found ? new Set(tags.filter((t) => found!.has(t))) : new Set(tags);
  }
  return found;
}
