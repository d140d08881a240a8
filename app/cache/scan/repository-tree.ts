// Finds the repositories under `repositories/` (names may be nested: `a/b/c`). Each directory's
// listing is kept with its mtime and reused while the mtime holds, so a refresh costs one lstat per
// directory instead of one readdir; a refresh with a hint walks only the hinted names' directories
// (plus anything new it finds in a directory it had to list again).
import { addEntry, emptyUsage, mergeUsage, walkUsage, type DiskUsage } from './disk-usage.js';
import { isGone, lstatOrNone, type ScanFs } from './fs-port.js';

interface Listing {
  mtimeMs: number;
  /** mtime was too recent to trust: list again next time. */
  racy: boolean;
  /** Child directories not starting with `_`: namespaces or nested repositories. */
  dirs: string[];
  /** Children starting with `_` (`_manifests`, `_layers`, `_uploads`, ...), sorted. */
  underscore: string[];
  /** Disk usage of the other children (stray files), counted when listed. */
  others: DiskUsage;
}

interface TreeNode {
  /** The directory's own entry, as `du` counts it (0 for the root: counted with the data dir). */
  usage: DiskUsage;
  listing: Listing;
}

export interface RepositoryCandidate {
  /** Name relative to `repositories/`, with `/` separators. */
  name: string;
  dir: string;
  underscore: string[];
}

export interface TreeWalk {
  /** Repositories (directories with `_*` children) whose directory this walk visited, sorted by name. */
  visited: RepositoryCandidate[];
  /** Whether every directory was visited (no hint): repositories not visited are gone. */
  complete: boolean;
  listed: number;
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export class RepositoryTree {
  private nodes = new Map<string, TreeNode>();
  /** Moves whenever a listing is made or dropped: `repositories()` is kept until then. */
  private version = 0;
  private repositoriesAt: { version: number; repositories: Map<string, string[]> } | undefined;

  constructor(
    private readonly fs: ScanFs,
    private readonly root: string,
  ) {}

  /**
   * Visits every directory (no scope) or only those on the way to the scope's names, plus directories
   * that appeared in a listing made again. Yields now and then so an in-process caller can slice it.
   */
  *walk(racyWindowMs: number, scope?: ReadonlySet<string>): Generator<void, TreeWalk> {
    const onPath = scope && prefixesOf(scope);
    const next = scope ? this.nodes : new Map<string, TreeNode>();
    if (!scope) this.version++;
    const visited: RepositoryCandidate[] = [];
    let listed = 0;
    // [rel, whole subtree]: a directory new to a listing is walked in full even in a scoped walk.
    const queue: Array<[string, boolean]> = [['', !scope]];
    for (let i = 0; i < queue.length; i++) {
      if ((i & 63) === 63) yield;
      const [rel, whole] = queue[i] as [string, boolean];
      const dir = rel === '' ? this.root : `${this.root}/${rel}`;
      const at = Date.now();
      const stats = lstatOrNone(this.fs, dir);
      const old = this.nodes.get(rel);
      if (!stats?.isDirectory()) {
        if (scope && old) this.forget(rel);
        continue;
      }
      let listing = old?.listing;
      if (!listing || listing.racy || listing.mtimeMs !== stats.mtimeMs) {
        const fresh = this.list(dir, stats.mtimeMs, at, racyWindowMs);
        if (!fresh) {
          if (scope && old) this.forget(rel);
          continue;
        }
        if (scope && listing) {
          for (const gone of listing.dirs) if (!fresh.dirs.includes(gone)) this.forget(join(rel, gone));
        }
        const before = listing?.dirs;
        listing = fresh;
        listed++;
        this.version++;
        if (scope && !whole) {
          // Scoped, but this directory changed: whatever is new in it is walked in full.
          for (const child of listing.dirs) {
            const c = join(rel, child);
            if (!before?.includes(child) && !onPath?.has(c)) queue.push([c, true]);
          }
        }
      }
      const usage = emptyUsage();
      if (rel !== '') addEntry(usage, stats);
      next.set(rel, { usage, listing });
      if (rel !== '' && listing.underscore.length > 0) {
        visited.push({ name: rel, dir, underscore: listing.underscore });
      }
      for (const child of listing.dirs) {
        const c = join(rel, child);
        if (whole || onPath?.has(c)) queue.push([c, whole]);
      }
    }
    if (!scope) this.nodes = next;
    visited.sort(byName);
    return { visited, complete: !scope, listed };
  }

  /** Every repository the tree holds now (visited or not), with its `_*` children. */
  repositories(): Map<string, string[]> {
    if (this.repositoriesAt?.version === this.version) return this.repositoriesAt.repositories;
    const out = new Map<string, string[]>();
    for (const [rel, node] of this.nodes) {
      if (rel !== '' && node.listing.underscore.length > 0) out.set(rel, node.listing.underscore);
    }
    this.repositoriesAt = { version: this.version, repositories: out };
    return out;
  }

  /** The namespace and repository directories themselves plus stray files (not the root, not `_*`). */
  usage(): DiskUsage {
    const usage = emptyUsage();
    for (const node of this.nodes.values()) {
      mergeUsage(usage, node.usage);
      mergeUsage(usage, node.listing.others);
    }
    return usage;
  }

  /** Drops a directory and everything below it. */
  private forget(rel: string): void {
    this.version++;
    const below = `${rel}/`;
    for (const key of [...this.nodes.keys()])
      if (key === rel || key.startsWith(below)) this.nodes.delete(key);
  }

  private list(dir: string, mtimeMs: number, at: number, racyWindowMs: number): Listing | undefined {
    let entries;
    try {
      entries = this.fs.readdirTypes(dir);
    } catch (err) {
      if (isGone(err)) return undefined;
      throw err;
    }
    const listing: Listing = {
      mtimeMs,
      racy: at - mtimeMs < racyWindowMs,
      dirs: [],
      underscore: [],
      others: emptyUsage(),
    };
    for (const entry of entries) {
      if (entry.name.startsWith('_')) listing.underscore.push(entry.name);
      else if (entry.isDirectory()) listing.dirs.push(entry.name);
      else walkUsage(this.fs, `${dir}/${entry.name}`, listing.others);
    }
    listing.underscore.sort();
    return listing;
  }
}

const join = (rel: string, child: string) => (rel === '' ? child : `${rel}/${child}`);

/** `a/b/c` gives `a`, `a/b` and `a/b/c`. */
function prefixesOf(names: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const name of names) {
    const parts = name.split('/');
    for (let i = 1; i <= parts.length; i++) out.add(parts.slice(0, i).join('/'));
  }
  return out;
}
