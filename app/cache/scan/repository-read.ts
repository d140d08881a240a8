// Reads one repository's links (tags, manifest revisions, layer links, uploads) and its disk usage,
// and tells from a handful of mtimes whether an incremental refresh must read it again.
//
// The layout (Distribution's registry/storage/paths.go) is walked knowing what the registry writes
// where, so only the directories whose entries vary are listed: `_layers/sha256`,
// `_manifests/revisions/sha256`, `_manifests/tags` and each tag's `index/sha256`. The others hold
// fixed names and are not listed: `_layers` holds `sha256`, `_manifests` holds `revisions` and `tags`,
// `revisions` and `index` hold `sha256`, a tag directory holds `current` and `index`, and each link
// directory (`<hex>/`, `current/`) holds a single `link` file; those are stat'ed directly. (Entries
// the registry does not write in those fixed directories are therefore not seen.) Every entry is
// stat'ed once, since `diskBytes` is what `du -sb` counts. Layer and tag-index digests come from
// their path; `current` links are read; revision links are read, as GC reads them, unless they have
// the exact form the registry writes (71 bytes in a directory named by a digest: that digest).
// `_uploads` and other `_*` children are walked and counted like `du` does.
import type { Stats } from 'node:fs';
import type { DigestTable } from './digests.js';
import { addEntry, emptyUsage, walkUsage, type DiskUsage } from './disk-usage.js';
import { listOrNone, lstatOrNone, readOrNone, type ScanFs } from './fs-port.js';
import { parseLink } from './layout.js';
import type { TagInfo, UploadStats } from './types.js';

export interface TagRead {
  name: string;
  /** Digest id of `current/link`'s content; -1 when that link is missing or unreadable. */
  current: number;
  /** mtime (ms) of `current/link`, 0 if absent. */
  linkMtime: number;
  /** Digest ids of `index/sha256/<hex>/link` entries, sorted by digest. */
  index: number[];
  /** The tag as results show it (shared by every result made from this read: never mutate). */
  info: TagInfo;
}

/** Directories whose mtime moves when a pull adds links: new layers, revisions, tags, uploads. */
const FINGERPRINT = [
  ['_layers', '_layers/sha256'],
  ['_manifests', '_manifests/revisions/sha256'],
  ['_manifests', '_manifests/tags'],
  ['_uploads', '_uploads'],
] as const;
const LAYERS = 0;
const REVISIONS = 1;
const TAGS = 2;
const UPLOADS = 3;

export interface RepositoryRead {
  name: string;
  /** The repository's `_*` children when it was read (from its directory's listing). */
  underscore: string[];
  hasLayers: boolean;
  hasManifests: boolean;
  /** Sorted by name. */
  tags: TagRead[];
  /** Manifest digest ids linked under `_manifests/revisions` (the link content), unique, sorted by digest. */
  revisions: number[];
  /** Digest ids of `_layers` links, sorted by digest. */
  layerLinks: number[];
  uploads: UploadStats;
  /** Its `_*` children, as `du` counts them. */
  usage: DiskUsage;
  /** Link files (relative to the repository) whose content is not a digest, sorted. */
  unreadableLinks: string[];
  /**
   * mtime and size of the FINGERPRINT directories (NaN: absent), each taken before that directory was
   * listed, so an entry added during the read moves it past what was recorded.
   */
  fingerprint: Float64Array;
  /**
   * An mtime this close to the moment it was read can still be followed by a change with the same
   * timestamp (coarse file-system clocks): such a read is not trusted, and read again next time.
   */
  racy: boolean;
}

/** A link as the registry writes it: `sha256:` and 64 hex digits, no newline. */
const LINK_BYTES = 71;

/** How far a read got, for cooperative time slicing: the reader yields every YIELD_EVERY calls. */
const YIELD_EVERY = 256;

const sameMark = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));

class Reader {
  readonly usage = emptyUsage();
  readonly fingerprint = new Float64Array(8).fill(NaN);
  private ops = 0;
  private yieldAt = YIELD_EVERY;

  constructor(
    readonly fs: ScanFs,
    readonly dir: string,
  ) {}

  /** lstat, counted into the repository's usage. */
  stat(path: string): Stats | undefined {
    this.ops++;
    const s = lstatOrNone(this.fs, path);
    if (s) addEntry(this.usage, s);
    return s;
  }

  list(path: string): string[] {
    this.ops++;
    return listOrNone(this.fs, path);
  }

  /** Counts what is below a directory already stat'ed (off-layout content). */
  below(path: string): void {
    for (const name of listOrNone(this.fs, path)) walkUsage(this.fs, `${path}/${name}`, this.usage);
  }

  mark(which: number, s: Stats | undefined): void {
    if (!s) return;
    this.fingerprint[2 * which] = s.mtimeMs;
    this.fingerprint[2 * which + 1] = s.size;
  }

  due(): boolean {
    if (this.ops < this.yieldAt) return false;
    this.yieldAt = this.ops + YIELD_EVERY;
    return true;
  }
}

/**
 * Reads the repository at `dir`, walking only its `_*` children (nested repositories are separate).
 * A generator: yields every few hundred calls, returns the read.
 */
export function* readRepository(
  fs: ScanFs,
  digests: DigestTable,
  dir: string,
  name: string,
  underscore: string[],
  racyWindowMs: number,
): Generator<void, RepositoryRead> {
  const at = Date.now();
  const r = new Reader(fs, dir);
  const tags = new Map<string, { linkMtime: number; index: number[] }>();
  const layerLinks: number[] = [];
  const revisionIds: number[] = [];
  const revisionLinks: string[] = [];
  const uploads: UploadStats = { count: 0, bytes: 0 };

  for (const child of underscore) {
    const top = `${dir}/${child}`;
    if (child === '_layers') {
      // _layers/sha256/<hex>/link. Distribution writes nothing else below `_layers`: not listed.
      if (!r.stat(top)?.isDirectory()) continue;
      const pa = `${top}/sha256`;
      const sa = r.stat(pa);
      r.mark(LAYERS, sa);
      if (!sa?.isDirectory()) continue;
      for (const hex of r.list(pa)) {
        if (r.due()) yield;
        const pb = `${pa}/${hex}`;
        if (!r.stat(pb)?.isDirectory()) continue;
        const link = r.stat(`${pb}/link`);
        if (!link) continue;
        const id = digests.validHexId(hex);
        if (id >= 0) layerLinks.push(id);
        if (link.isDirectory()) r.below(`${pb}/link`);
      }
    } else if (child === '_manifests') {
      // `_manifests` holds `revisions` and `tags`, `revisions` holds `sha256`: not listed.
      if (!r.stat(top)?.isDirectory()) continue;
      const revisions = `${top}/revisions`;
      if (r.stat(revisions)?.isDirectory()) {
        // _manifests/revisions/sha256/<hex>/link
        const px = `${revisions}/sha256`;
        const sx = r.stat(px);
        r.mark(REVISIONS, sx);
        if (sx?.isDirectory()) {
          for (const hex of r.list(px)) {
            if (r.due()) yield;
            const py = `${px}/${hex}`;
            if (!r.stat(py)?.isDirectory()) continue;
            const link = r.stat(`${py}/link`);
            if (link?.isFile()) {
              // GC reads the link; the registry writes there exactly the digest its path names
              // (`sha256:` and 64 hex digits: 71 bytes). Only a link of another size is read.
              const id = link.size === LINK_BYTES ? digests.validHexId(hex) : -1;
              if (id >= 0) revisionIds.push(id);
              else revisionLinks.push(`_manifests/revisions/sha256/${hex}/link`);
            } else if (link?.isDirectory()) r.below(`${py}/link`);
          }
        }
      }
      const pa = `${top}/tags`;
      const sa = r.stat(pa);
      r.mark(TAGS, sa);
      if (sa?.isDirectory()) {
        // _manifests/tags/<tag>/current/link and _manifests/tags/<tag>/index/sha256/<hex>/link
        for (const tag of r.list(pa)) {
          if (r.due()) yield;
          const pt = `${pa}/${tag}`;
          const st = r.stat(pt);
          if (!st) continue;
          const info = { linkMtime: 0, index: [] as number[] };
          tags.set(tag, info);
          if (!st.isDirectory()) continue;
          // A tag directory holds `current` and `index`, `index` holds `sha256`: not listed.
          if (r.stat(`${pt}/current`)?.isDirectory()) {
            const link = r.stat(`${pt}/current/link`);
            if (link?.isFile()) info.linkMtime = link.mtimeMs;
            else if (link?.isDirectory()) r.below(`${pt}/current/link`);
          }
          if (!r.stat(`${pt}/index`)?.isDirectory()) continue;
          const px = `${pt}/index/sha256`;
          if (!r.stat(px)?.isDirectory()) continue;
          for (const hex of r.list(px)) {
            const py = `${px}/${hex}`;
            if (!r.stat(py)?.isDirectory()) continue;
            const link = r.stat(`${py}/link`);
            if (!link) continue;
            const id = digests.validHexId(hex);
            if (id >= 0) info.index.push(id);
            if (link.isDirectory()) r.below(`${py}/link`);
          }
        }
      }
    } else if (child === '_uploads') {
      // _uploads/<uuid>/{data,startedat,hashstates/...}
      const walk = (path: string, depth: number): void => {
        const s = r.stat(path);
        if (!s) return;
        if (depth === 1) r.mark(UPLOADS, s);
        const isDir = s.isDirectory();
        if (depth === 2 && isDir) uploads.count++;
        else if (!isDir) uploads.bytes += s.size;
        if (isDir) for (const name of r.list(path)) walk(`${path}/${name}`, depth + 1);
      };
      walk(top, 1);
    } else {
      walkUsage(fs, top, r.usage);
    }
  }

  const unreadableLinks: string[] = [];
  const readLink = (rel: string): string | undefined => {
    const content = readOrNone(fs, `${dir}/${rel}`);
    if (content === undefined) return undefined;
    const digest = parseLink(content);
    if (!digest) unreadableLinks.push(rel);
    return digest;
  };
  for (const [i, rel] of revisionLinks.entries()) {
    if ((i & 127) === 127) yield;
    const digest = readLink(rel);
    if (digest) revisionIds.push(digests.id(digest));
  }
  const tagReads: TagRead[] = [];
  for (const tag of [...tags.keys()].sort(compare)) {
    const t = tags.get(tag) as { linkMtime: number; index: number[] };
    const currentDigest = t.linkMtime > 0 ? (readLink(`_manifests/tags/${tag}/current/link`) ?? null) : null;
    tagReads.push({
      name: tag,
      current: currentDigest === null ? -1 : digests.id(currentDigest),
      linkMtime: t.linkMtime,
      index: digests.sorted(t.index),
      info: { name: tag, currentDigest, linkMtime: t.linkMtime },
    });
  }

  const fp = r.fingerprint;
  let racy = false;
  for (let i = 0; i < fp.length; i += 2) racy ||= at - (fp[i] as number) < racyWindowMs;
  for (const t of tagReads) racy ||= t.linkMtime > 0 && at - t.linkMtime < racyWindowMs;

  return {
    name,
    underscore,
    hasLayers: underscore.includes('_layers'),
    hasManifests: underscore.includes('_manifests'),
    tags: tagReads,
    revisions: digests.sorted(new Set(revisionIds)),
    layerLinks: digests.sorted(layerLinks),
    uploads,
    usage: r.usage,
    unreadableLinks: unreadableLinks.sort(),
    fingerprint: fp,
    racy,
  };
}

/**
 * Whether the repository is as `read` saw it: the same `_*` children (the caller compares those), the
 * same mtimes of the directories that gain entries on a pull, and of every tag's `current/link`
 * (rewritten in place on every pull by tag: no directory changes). A racy read is never trusted.
 * At most 4 + tags lstat calls, none for a directory the repository does not have.
 */
export function unchanged(fs: ScanFs, dir: string, read: RepositoryRead): boolean {
  if (read.racy) return false;
  const fp = read.fingerprint;
  for (const [i, [parent, rel]] of FINGERPRINT.entries()) {
    if (!read.underscore.includes(parent)) continue;
    const s = lstatOrNone(fs, `${dir}/${rel}`);
    if (
      !sameMark(s?.mtimeMs ?? NaN, fp[2 * i] as number) ||
      !sameMark(s?.size ?? NaN, fp[2 * i + 1] as number)
    )
      return false;
  }
  for (const t of read.tags) {
    const s = lstatOrNone(fs, `${dir}/_manifests/tags/${t.name}/current/link`);
    if ((s?.isFile() ? s.mtimeMs : 0) !== t.linkMtime) return false;
  }
  return true;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
