// The blob store (`blobs/sha256/<2 hex>/<hex>/data`). Content is immutable by digest, so a blob is
// stat'ed once; a prefix directory is listed again only when its mtime moves (a blob added or removed).
import type { Dirent } from 'node:fs';
import { join } from 'node:path';
import { addEntry, emptyUsage, mergeUsage, walkUsage, type DiskUsage } from './disk-usage.js';
import { isGone, lstatOrNone, runQueue, type ScanFs } from './fs-port.js';
import { HEX64 } from './layout.js';

const PREFIX = /^[0-9a-f]{2}$/;

interface Blob {
  size: number;
  /** The `<hex>` directory plus its `data` file. */
  diskBytes: number;
}

interface Prefix {
  mtimeMs: number;
  /** Listed too soon after a change, or held a blob without `data` yet: list again next time. */
  trusted: boolean;
  blobs: Map<string, Blob>;
  /** Entries that are not `<hex>` blob directories. */
  others: DiskUsage;
}

export interface BlobStoreRefresh {
  /** Digest to size of `data`. */
  sizes: Map<string, number>;
  /** Everything below `blobs/sha256` (that directory itself is counted by the caller). */
  usage: DiskUsage;
  prefixesListed: number;
  blobsStatted: number;
}

export class BlobStore {
  private prefixes = new Map<string, Prefix>();

  constructor(
    private readonly fs: ScanFs,
    private readonly root: string,
  ) {}

  /**
   * Lists `blobs/sha256` and its prefix directories (listing again only those whose mtime moved) and
   * stats the blobs not seen before. Call it after reading the repositories: the registry writes a
   * blob before linking it, so every link read earlier then finds its blob.
   */
  async refresh(concurrency: number, racyWindowMs: number): Promise<BlobStoreRefresh> {
    const next = new Map<string, Prefix>();
    const usage = emptyUsage();
    let prefixesListed = 0;
    let blobsStatted = 0;
    let top: Dirent[];
    try {
      top = await this.fs.readdir(this.root);
    } catch (err) {
      if (!isGone(err)) throw err;
      top = [];
    }
    await runQueue(top, concurrency, async (entry) => {
      const name = entry.name;
      const at = Date.now();
      const stats = await lstatOrNone(this.fs, join(this.root, name));
      if (!stats) return;
      if (!PREFIX.test(name) || !stats.isDirectory()) {
        mergeUsage(usage, await walkUsage(this.fs, join(this.root, name), concurrency));
        return;
      }
      addEntry(usage, stats);
      const old = this.prefixes.get(name);
      if (old && old.trusted && old.mtimeMs === stats.mtimeMs) {
        next.set(name, old);
        return;
      }
      const dir = join(this.root, name);
      let entries;
      try {
        entries = await this.fs.readdir(dir);
      } catch (err) {
        if (isGone(err)) return;
        throw err;
      }
      prefixesListed++;
      const prefix: Prefix = {
        mtimeMs: stats.mtimeMs,
        trusted: at - stats.mtimeMs >= racyWindowMs,
        blobs: new Map(),
        others: emptyUsage(),
      };
      await runQueue(entries, concurrency, async (entry) => {
        const hex = entry.name;
        if (!HEX64.test(hex) || !hex.startsWith(name) || !entry.isDirectory()) {
          mergeUsage(prefix.others, await walkUsage(this.fs, join(dir, hex), concurrency));
          return;
        }
        const known = old?.blobs.get(hex);
        if (known) {
          prefix.blobs.set(hex, known);
          return;
        }
        blobsStatted++;
        // A blob directory holds only `data` (the registry moves the upload there): stat, don't list.
        const [dirStats, dataStats] = await Promise.all([
          lstatOrNone(this.fs, join(dir, hex)),
          lstatOrNone(this.fs, join(dir, hex, 'data')),
        ]);
        if (!dirStats) return;
        if (!dataStats?.isFile()) {
          // Mid-write (directory made, data not moved in yet): count the directory, look again next time.
          prefix.trusted = false;
          prefix.others.bytes += dirStats.size;
          return;
        }
        prefix.blobs.set(hex, { size: dataStats.size, diskBytes: dirStats.size + dataStats.size });
      });
      next.set(name, prefix);
    });
    this.prefixes = next;

    const sizes = new Map<string, number>();
    for (const prefix of [...next.keys()].sort()) {
      const p = next.get(prefix) as Prefix;
      // Sorted, so results (and their JSON) do not depend on the order calls completed in.
      for (const hex of [...p.blobs.keys()].sort()) {
        const blob = p.blobs.get(hex) as Blob;
        sizes.set(`sha256:${hex}`, blob.size);
        usage.bytes += blob.diskBytes;
      }
      mergeUsage(usage, p.others);
    }
    return { sizes, usage, prefixesListed, blobsStatted };
  }
}
