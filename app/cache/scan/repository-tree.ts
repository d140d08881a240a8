// Finds the repositories under `repositories/` (names may be nested: `a/b/c`). Each directory's
// listing is kept with its mtime and reused while the mtime holds, so a refresh costs one lstat per
// directory instead of one readdir.
import type { Stats } from 'node:fs';
import { join, sep } from 'node:path';
import { addEntry, emptyUsage, mergeUsage, walkUsage, type DiskUsage } from './disk-usage.js';
import { isGone, lstatOrNone, runQueue, type ScanFs } from './fs-port.js';

interface Listing {
  mtimeMs: number;
  /** mtime was too recent to trust: list again next time. */
  racy: boolean;
  /** Child directories not starting with `_`: namespaces or nested repositories. */
  dirs: string[];
  /** Children starting with `_` (`_manifests`, `_layers`, `_uploads`, ...). */
  underscore: string[];
  /** Disk usage of the other children (stray files), counted when listed. */
  others: DiskUsage;
}

export interface RepositoryCandidate {
  /** Name relative to `repositories/`, with `/` separators. */
  name: string;
  dir: string;
  underscore: string[];
}

export interface TreeWalk {
  /** Directories with `_*` children (`_manifests`, `_layers`, `_uploads`), sorted by name. */
  candidates: RepositoryCandidate[];
  /** The namespace and repository directories themselves plus stray files (not the root, not `_*`). */
  usage: DiskUsage;
  listed: number;
}

export class RepositoryTree {
  private listings = new Map<string, Listing>();

  constructor(
    private readonly fs: ScanFs,
    private readonly root: string,
  ) {}

  async walk(concurrency: number, racyWindowMs: number): Promise<TreeWalk> {
    const next = new Map<string, Listing>();
    const candidates: RepositoryCandidate[] = [];
    const usage = emptyUsage();
    let listed = 0;
    await runQueue([''], concurrency, async (rel, push) => {
      const dir = rel === '' ? this.root : join(this.root, rel);
      const at = Date.now();
      const stats = await lstatOrNone(this.fs, dir);
      if (!stats?.isDirectory()) return;
      if (rel !== '') addEntry(usage, stats);
      let listing = this.listings.get(rel);
      if (!listing || listing.racy || listing.mtimeMs !== stats.mtimeMs) {
        const fresh = await this.list(dir, stats, at, racyWindowMs, concurrency);
        if (!fresh) return;
        listing = fresh;
        listed++;
      }
      next.set(rel, listing);
      mergeUsage(usage, listing.others);
      if (rel !== '' && listing.underscore.length > 0) {
        candidates.push({ name: rel.split(sep).join('/'), dir, underscore: listing.underscore });
      }
      for (const child of listing.dirs) push(rel === '' ? child : join(rel, child));
    });
    this.listings = next;
    candidates.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { candidates, usage, listed };
  }

  private async list(
    dir: string,
    stats: Stats,
    at: number,
    racyWindowMs: number,
    concurrency: number,
  ): Promise<Listing | undefined> {
    let entries;
    try {
      entries = await this.fs.readdir(dir);
    } catch (err) {
      if (isGone(err)) return undefined;
      throw err;
    }
    const listing: Listing = {
      mtimeMs: stats.mtimeMs,
      racy: at - stats.mtimeMs < racyWindowMs,
      dirs: [],
      underscore: [],
      others: emptyUsage(),
    };
    for (const entry of entries) {
      if (entry.name.startsWith('_')) listing.underscore.push(entry.name);
      else if (entry.isDirectory()) listing.dirs.push(entry.name);
      else mergeUsage(listing.others, await walkUsage(this.fs, join(dir, entry.name), concurrency));
    }
    listing.underscore.sort();
    return listing;
  }
}
