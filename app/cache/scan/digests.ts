import { HEX64 } from './layout.js';

// Digests interned as small integers. A 60,000-blob store mentions each digest many times (blob store,
// layer links, revisions, tag links, manifest references): the scanner keeps every one of them once,
// as a string in this table, and everywhere else as its id, with blob sizes in typed arrays by id.

export class DigestTable {
  /** By hex (no `sha256:`): the strings a directory listing gives, looked up without a concatenation. */
  private readonly ids = new Map<string, number>();
  /** The 64 hex digits by id (the same strings as the keys: each digest is held once). */
  readonly hexes: string[] = [];
  /** Size of the blob's `data` file by id; -1 when the blob store does not hold it. */
  size = new Float64Array(1024).fill(-1);
  /** The blob's `<hex>` directory plus its `data` file, as `du` counts them (0 when absent). */
  disk = new Float64Array(1024);

  get length(): number {
    return this.hexes.length;
  }

  /** `sha256:<hex>` of an id, as results show it (made on demand: the table holds the hex only). */
  digest(id: number): string {
    return `sha256:${this.hexes[id] as string}`;
  }

  /** The id of a sha256 digest given by its 64 hex digits, made on first sight. */
  hexId(hex: string): number {
    let id = this.ids.get(hex);
    if (id === undefined) {
      id = this.hexes.length;
      this.hexes.push(hex);
      this.ids.set(hex, id);
      if (id >= this.size.length) this.grow(id + 1);
    }
    return id;
  }

  /**
   * The id of a name that should be 64 lowercase hex digits (a directory named by a digest), made on
   * first sight; -1 when it is not one. A name already known costs no validation.
   */
  validHexId(name: string): number {
    const id = this.ids.get(name);
    if (id !== undefined) return id;
    return HEX64.test(name) ? this.hexId(name) : -1;
  }

  /** The id of a digest (`sha256:<hex>`), made on first sight. */
  id(digest: string): number {
    return this.hexId(digest.slice(7));
  }

  /** The id of a digest (`sha256:<hex>`) already known, or -1 (never made: a lookup only). */
  find(digest: string): number {
    return this.ids.get(digest.slice(7)) ?? -1;
  }

  present(id: number): boolean {
    return (this.size[id] as number) >= 0;
  }

  private grow(min: number): void {
    const n = Math.max(min, this.size.length * 2);
    const size = new Float64Array(n).fill(-1);
    size.set(this.size);
    const disk = new Float64Array(n);
    disk.set(this.disk);
    this.size = size;
    this.disk = disk;
  }

  /** Ids sorted by digest: what results list, in the order they list it. */
  sorted(ids: Iterable<number>): number[] {
    const d = this.hexes;
    return [...ids].sort((a, b) => {
      const x = d[a] as string;
      const y = d[b] as string;
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }

  /**
   * Keeps only the ids `keep` answers true for, renumbered; answers the old-to-new map (-1: dropped).
   * Digests seen once and long gone would otherwise accumulate for the scanner's lifetime.
   */
  compact(keep: (id: number) => boolean): Int32Array {
    const n = this.hexes.length;
    const map = new Int32Array(n).fill(-1);
    const hexes: string[] = [];
    for (let id = 0; id < n; id++) if (keep(id)) map[id] = hexes.push(this.hexes[id] as string) - 1;
    const size = new Float64Array(Math.max(1024, hexes.length * 2)).fill(-1);
    const disk = new Float64Array(size.length);
    for (let id = 0; id < n; id++) {
      const to = map[id] as number;
      if (to < 0) continue;
      size[to] = this.size[id] as number;
      disk[to] = this.disk[id] as number;
    }
    this.hexes.length = 0;
    this.ids.clear();
    for (const [i, hex] of hexes.entries()) {
      this.hexes.push(hex);
      this.ids.set(hex, i);
    }
    this.size = size;
    this.disk = disk;
    return map;
  }
}

/** A reusable mark set over ids: `add` answers whether the id was new since the last `clear`. */
export class IdSet {
  private stamp = new Uint32Array(1024);
  private epoch = 1;

  clear(): void {
    if (++this.epoch === 0xffffffff) {
      this.stamp.fill(0);
      this.epoch = 1;
    }
  }

  add(id: number): boolean {
    if (id >= this.stamp.length) {
      const next = new Uint32Array(Math.max(id + 1, this.stamp.length * 2));
      next.set(this.stamp);
      this.stamp = next;
    }
    if (this.stamp[id] === this.epoch) return false;
    this.stamp[id] = this.epoch;
    return true;
  }

  has(id: number): boolean {
    return id < this.stamp.length && this.stamp[id] === this.epoch;
  }
}
