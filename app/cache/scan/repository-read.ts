// Reads one repository's links (tags, manifest revisions, layer links, uploads) and its disk usage,
// plus the cheap fingerprint that tells an incremental refresh whether it must read them again.
import { join, sep } from 'node:path';
import { emptyUsage, mergeUsage, walkUsage, type DiskUsage, type Visit } from './disk-usage.js';
import { isGone, lstatOrNone, runQueue, type ScanFs } from './fs-port.js';
import { HEX64, parseLink } from './layout.js';
import type { TagInfo, UploadStats } from './types.js';

/** Link directories (`<alg>/<hex>/`, `current/`) hold a single `link` file: stat it, don't list them. */
const LINK_ONLY = ['link'];

const digestOf = (alg: string | undefined, hex: string | undefined) =>
  alg === 'sha256' && hex !== undefined && HEX64.test(hex) ? `sha256:${hex}` : undefined;

export interface RepositoryRead {
  name: string;
  hasLayers: boolean;
  hasManifests: boolean;
  tags: Array<TagInfo & { indexDigests: string[] }>;
  revisions: string[];
  layerLinks: string[];
  uploads: UploadStats;
  usage: DiskUsage;
  /** Link files (relative to the repository) whose content is not a digest. */
  unreadableLinks: string[];
}

/**
 * Reads the repository at `dir`, walking only its `_*` children (nested repositories are separate).
 * Link paths name the digest for layers and tag indexes; revision and current links are read, as GC does.
 */
export async function readRepository(
  fs: ScanFs,
  dir: string,
  name: string,
  underscoreEntries: string[],
  concurrency: number,
): Promise<RepositoryRead> {
  const tags = new Map<string, TagInfo & { indexDigests: string[] }>();
  const tag = (t: string) => {
    let info = tags.get(t);
    if (!info) tags.set(t, (info = { name: t, currentDigest: null, linkMtime: 0, indexDigests: [] }));
    return info;
  };
  const layerLinks: string[] = [];
  const revisionLinks: string[] = [];
  const uploads: UploadStats = { count: 0, bytes: 0 };
  const usage = emptyUsage();

  const visit =
    (child: string): Visit =>
    (rel, stats) => {
      const p = rel === '' ? [child] : [child, ...rel.split(sep)];
      const [area, a, b, c, d, e, f] = p;
      const isDir = stats.isDirectory();
      if (area === '_layers') {
        // _layers/sha256/<hex>/link
        if (p.length === 3 && isDir) return LINK_ONLY;
        const digest = p.length === 4 && c === 'link' ? digestOf(a, b) : undefined;
        if (digest) layerLinks.push(digest);
      } else if (area === '_manifests' && a === 'revisions') {
        // _manifests/revisions/sha256/<hex>/link: its content is read below, as GC reads it
        if (p.length === 4 && isDir) return LINK_ONLY;
        if (p.length === 5 && d === 'link' && stats.isFile()) revisionLinks.push(join(child, rel));
      } else if (area === '_manifests' && a === 'tags' && b !== undefined) {
        // _manifests/tags/<tag>/current/link and _manifests/tags/<tag>/index/sha256/<hex>/link
        const info = tag(b);
        if (isDir && ((p.length === 4 && c === 'current') || (p.length === 6 && c === 'index')))
          return LINK_ONLY;
        if (p.length === 5 && c === 'current' && d === 'link' && stats.isFile())
          info.linkMtime = stats.mtimeMs;
        const digest = p.length === 7 && c === 'index' && f === 'link' ? digestOf(d, e) : undefined;
        if (digest) info.indexDigests.push(digest);
      } else if (area === '_uploads') {
        // _uploads/<uuid>/{data,startedat,hashstates/...}
        if (p.length === 2 && isDir) uploads.count++;
        else if (!isDir) uploads.bytes += stats.size;
      }
    };
  await Promise.all(
    underscoreEntries.map(async (child) =>
      mergeUsage(usage, await walkUsage(fs, join(dir, child), concurrency, visit(child))),
    ),
  );

  const unreadableLinks: string[] = [];
  const readLink = async (rel: string): Promise<string | undefined> => {
    try {
      const digest = parseLink(await fs.readFile(join(dir, rel)));
      if (!digest) unreadableLinks.push(rel);
      return digest;
    } catch (err) {
      if (isGone(err)) return undefined;
      throw err;
    }
  };
  const revisions: string[] = [];
  const work: Array<() => Promise<void>> = [
    ...revisionLinks.map((rel) => async () => {
      const digest = await readLink(rel);
      if (digest) revisions.push(digest);
    }),
    ...[...tags.values()]
      .filter((t) => t.linkMtime > 0)
      .map((t) => async () => {
        t.currentDigest = (await readLink(join('_manifests', 'tags', t.name, 'current', 'link'))) ?? null;
      }),
  ];
  await runQueue(work, concurrency, (job) => job());

  return {
    name,
    hasLayers: underscoreEntries.includes('_layers'),
    hasManifests: underscoreEntries.includes('_manifests'),
    tags: [...tags.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    revisions: [...new Set(revisions)].sort(),
    layerLinks: layerLinks.sort(),
    uploads,
    usage,
    unreadableLinks: unreadableLinks.sort(),
  };
}

/**
 * Directories whose mtime changes when a pull adds links: new revisions, layers, tags, uploads.
 * (The repository directory itself is watched by the tree walk: its `_*` children are compared.)
 */
const FINGERPRINT_DIRS = [
  join('_manifests', 'revisions', 'sha256'),
  join('_manifests', 'tags'),
  join('_layers', 'sha256'),
  '_uploads',
];

export interface Fingerprint {
  key: string;
  /**
   * An mtime too close to the moment it was read can still be followed by a change with the same
   * timestamp (coarse file-system clocks): such a fingerprint must not be trusted next time.
   */
  racy: boolean;
}

const tagLink = (t: string) => join('_manifests', 'tags', t, 'current', 'link');
const isRacy = (mtimeMs: number, at: number, windowMs: number) => mtimeMs > 0 && at - mtimeMs < windowMs;

/**
 * A repository's fingerprint: mtimes of the directories that gain entries on a pull, plus the mtime
 * of every known tag's `current/link` (rewritten in place on every pull by tag: no directory changes).
 */
export async function fingerprint(
  fs: ScanFs,
  dir: string,
  tagNames: string[],
  racyWindowMs: number,
): Promise<Fingerprint> {
  // Time taken before the stats: comparing mtimes with an earlier instant errs on the racy side.
  const at = Date.now();
  const [dirs, links] = await Promise.all([
    Promise.all(FINGERPRINT_DIRS.map((p) => lstatOrNone(fs, join(dir, p)))),
    Promise.all(tagNames.map((t) => lstatOrNone(fs, join(dir, tagLink(t))))),
  ]);
  const mtimes = [...dirs, ...links].map((s) => s?.mtimeMs ?? 0);
  return {
    key: [
      ...dirs.map((s) => (s ? `${s.mtimeMs}:${s.size}` : '-')),
      ...links.map((s) => s?.mtimeMs ?? '-'),
    ].join('|'),
    racy: mtimes.some((m) => isRacy(m, at, racyWindowMs)),
  };
}

/**
 * The fingerprint of a repository just read: `before` was taken (with no tags) before the read
 * started, so any change made during the read shows up as a difference next time.
 */
export function fingerprintAfterRead(
  before: Fingerprint,
  read: RepositoryRead,
  readStartedAt: number,
  racyWindowMs: number,
): Fingerprint {
  return {
    key: [before.key, ...read.tags.map((t) => (t.linkMtime > 0 ? t.linkMtime : '-'))].join('|'),
    racy: before.racy || read.tags.some((t) => isRacy(t.linkMtime, readStartedAt, racyWindowMs)),
  };
}
