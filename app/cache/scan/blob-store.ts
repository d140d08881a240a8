// The blob store (`blobs/sha256/<2 hex>/<hex>/data`). Content is immutable by digest, so a blob is
// stat'ed once; a prefix directory is listed again only when its mtime moves (a blob added or removed).
// Sizes live in the digest table (by id); this keeps which blobs each prefix directory holds.
import type { DigestTable } from './digests.js';
import { addEntry, emptyUsage, mergeUsage, walkUsage, type DiskUsage } from './disk-usage.js';
import { isGone, lstatOrNone, type ScanFs } from './fs-port.js';

const PREFIX = /^[0-9a-f]{2}$/;

interface Prefix {
  mtimeMs: number;
  /** Listed too soon after a change, or held a blob without `data` yet: list again next time. */
  trusted: boolean;
  /** The prefix directory's own entry. */
  self: DiskUsage;
  /** Ids of the blobs it holds, sorted by digest. */
  blobs: number[];
  /** Entries that are not `<hex>` blob directories, and blob directories without `data` yet. */
  others: DiskUsage;
}

export interface BlobStoreRefresh {
  prefixesListed: number;
  blobsStatted: number;
  /** Ids whose presence changed (blob added or removed) in this refresh. */
  changed: number[];
  /** Whether any blob went away (else every id in `changed` is a blob added). */
  dropped: boolean;
}

export class BlobStore {
  private prefixes = new Map<string, Prefix>();
  /** Entries of `blobs/sha256` that are not prefix directories, walked in full on every refresh. */
  private strays = emptyUsage();
  /** Sum of the sizes of the blobs present, and their count. */
  bytes = 0;
  count = 0;
  /** Sum of the blobs' `<hex>` directories and `data` files. */
  private diskBytes = 0;

  constructor(
    private readonly fs: ScanFs,
    private readonly root: string,
    private readonly digests: DigestTable,
  ) {}

  /**
   * Lists `blobs/sha256`, stats its prefix directories and lists again those whose mtime moved, stat'ing
   * the blobs not seen before. Call it after reading the repositories: the registry writes a blob before
   * linking it, so every link read earlier then finds its blob.
   */
  *refresh(racyWindowMs: number): Generator<void, BlobStoreRefresh> {
    const { digests } = this;
    const next = new Map<string, Prefix>();
    const strays = emptyUsage();
    const changed: number[] = [];
    const count = this.count;
    let prefixesListed = 0;
    let blobsStatted = 0;
    let top: string[];
    try {
      top = this.fs.readdir(this.root);
    } catch (err) {
      if (!isGone(err)) throw err;
      top = [];
    }
    top.sort();
    for (const name of top) {
      yield;
      const path = `${this.root}/${name}`;
      const at = Date.now();
      const stats = lstatOrNone(this.fs, path);
      if (!stats) continue;
      if (!PREFIX.test(name) || !stats.isDirectory()) {
        walkUsage(this.fs, path, strays);
        continue;
      }
      const old = this.prefixes.get(name);
      const self = emptyUsage();
      addEntry(self, stats);
      if (old && old.trusted && old.mtimeMs === stats.mtimeMs) {
        next.set(name, { ...old, self });
        continue;
      }
      let entries: string[];
      try {
        entries = this.fs.readdir(path);
      } catch (err) {
        if (isGone(err)) continue;
        throw err;
      }
      prefixesListed++;
      const prefix: Prefix = {
        mtimeMs: stats.mtimeMs,
        trusted: at - stats.mtimeMs >= racyWindowMs,
        self,
        blobs: [],
        others: emptyUsage(),
      };
      // Both sorted: walk the old list beside the new listing, so a blob seen before costs a string
      // comparison (no lookup, no stat).
      const known = old?.blobs ?? [];
      let k = 0;
      for (const hex of entries.sort()) {
        const blobDir = `${path}/${hex}`;
        if (hex.length !== 64 || !hex.startsWith(name)) {
          walkUsage(this.fs, blobDir, prefix.others);
          continue;
        }
        while (k < known.length && (digests.hexes[known[k] as number] as string) < hex) {
          this.drop(known[k++] as number, changed);
        }
        if (k < known.length && digests.hexes[known[k] as number] === hex) {
          prefix.blobs.push(known[k++] as number);
          continue;
        }
        const id = digests.validHexId(hex);
        if (id < 0) {
          walkUsage(this.fs, blobDir, prefix.others);
          continue;
        }
        blobsStatted++;
        // A blob directory holds only `data` (the registry moves the upload there): stat, don't list.
        const dirStats = lstatOrNone(this.fs, blobDir);
        if (!dirStats) continue;
        if (!dirStats.isDirectory()) {
          addEntry(prefix.others, dirStats);
          continue;
        }
        const dataStats = lstatOrNone(this.fs, `${blobDir}/data`);
        if (!dataStats?.isFile()) {
          // Mid-write (directory made, data not moved in yet): count the directory, look again next time.
          prefix.trusted = false;
          prefix.others.bytes += dirStats.size;
          continue;
        }
        this.add(id, dirStats.size, dataStats.size, changed);
        prefix.blobs.push(id);
      }
      // Blobs the prefix held and holds no more.
      while (k < known.length) this.drop(known[k++] as number, changed);
      next.set(name, prefix);
    }
    for (const [name, prefix] of this.prefixes) {
      if (!next.has(name)) for (const id of prefix.blobs) this.drop(id, changed);
    }
    this.prefixes = next;
    this.strays = strays;
    return { prefixesListed, blobsStatted, changed, dropped: this.count - count < changed.length };
  }

  /**
   * Stats the given blobs the store is not known to hold, without listing their prefix directories:
   * for a hinted refresh, which looks only where the hint says things changed. A blob found is added
   * to its prefix; the prefix keeps the mtime of its last listing, so the next full refresh lists it
   * again and sees what else changed there.
   */
  *statBlobs(ids: Iterable<number>): Generator<void, { blobsStatted: number; changed: number[] }> {
    const { digests } = this;
    const changed: number[] = [];
    let blobsStatted = 0;
    for (const id of ids) {
      if (digests.present(id)) continue;
      if ((++blobsStatted & 63) === 0) yield;
      const hex = digests.hexes[id] as string;
      const name = hex.slice(0, 2);
      const path = `${this.root}/${name}`;
      const prefixStats = lstatOrNone(this.fs, path);
      if (!prefixStats?.isDirectory()) continue;
      const dirStats = lstatOrNone(this.fs, `${path}/${hex}`);
      if (!dirStats?.isDirectory()) continue;
      const dataStats = lstatOrNone(this.fs, `${path}/${hex}/data`);
      if (!dataStats?.isFile()) continue;
      let prefix = this.prefixes.get(name);
      if (!prefix) {
        // New since the last listing: never listed, so never trusted.
        prefix = { mtimeMs: NaN, trusted: false, self: emptyUsage(), blobs: [], others: emptyUsage() };
        this.prefixes.set(name, prefix);
      }
      prefix.self = emptyUsage();
      addEntry(prefix.self, prefixStats);
      const blobs = prefix.blobs;
      let lo = 0;
      let hi = blobs.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((digests.hexes[blobs[mid] as number] as string) < hex) lo = mid + 1;
        else hi = mid;
      }
      blobs.splice(lo, 0, id);
      this.add(id, dirStats.size, dataStats.size, changed);
    }
    return { blobsStatted, changed };
  }

  /** A blob found: its data's size, and on disk its directory and data as `du` counts them. */
  private add(id: number, dirBytes: number, dataBytes: number, changed: number[]): void {
    this.digests.size[id] = dataBytes;
    this.digests.disk[id] = dirBytes + dataBytes;
    this.bytes += dataBytes;
    this.diskBytes += dirBytes + dataBytes;
    this.count++;
    changed.push(id);
  }

  private drop(id: number, changed: number[]): void {
    this.bytes -= this.digests.size[id] as number;
    this.diskBytes -= this.digests.disk[id] as number;
    this.count--;
    this.digests.size[id] = -1;
    this.digests.disk[id] = 0;
    changed.push(id);
  }

  /** Everything below `blobs/sha256` (that directory itself is counted by the caller). */
  usage(): DiskUsage {
    const usage = emptyUsage();
    mergeUsage(usage, this.strays);
    for (const prefix of this.prefixes.values()) {
      mergeUsage(usage, prefix.self);
      mergeUsage(usage, prefix.others);
    }
    usage.bytes += this.diskBytes;
    return usage;
  }

  /** Ids of every blob present, sorted by digest. */
  *ids(): Generator<number> {
    for (const name of [...this.prefixes.keys()].sort()) yield* (this.prefixes.get(name) as Prefix).blobs;
  }

  /** Renumbers ids after the digest table was compacted (every present blob is kept). */
  remap(map: Int32Array): void {
    for (const prefix of this.prefixes.values()) prefix.blobs = prefix.blobs.map((id) => map[id] as number);
  }
}
