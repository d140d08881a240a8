// Our own garbage collection, with the mirror serving: the marking rules of the registry's own
// collector (the scanner's model, 2.8's or 3.x's, checked against `registry garbage-collect` in the
// tests) on a fresh look at the store, then a sweep that cannot take a blob from under a pull using it.
//
// 1. Look (a scan): the candidates are the blobs no GC-enumerated repository marks (what GC deletes),
//    less any written since the prune began (a pull in flight stores its blob before linking it).
// 2. Quarantine: each candidate's directory is renamed into the prune's trash (same file system,
//    undoable). A pull that needs one of them from now on finds it missing and fetches it again.
// 3. Wait for the uploads in flight to end, look again: a candidate now marked (a new manifest reached
//    it), or linked by a link written since the prune began, is put back, unless the registry stored it
//    again meanwhile. (A pull stores a blob through an upload directory: it checks whether the blob is
//    present, links it, and only then removes its upload directory. So once every upload that was
//    open when the quarantine ended has gone, a pull that found a candidate present has linked it.
//    A manifest is stored without an upload, its check and its link a moment apart; one linked to a
//    quarantined blob after the second look is fetched from the upstream again by the proxy.)
// 4. Delete what is left in quarantine.
//
// Served blobs are read through open files, which a rename or a delete does not disturb. The registry
// must not cache blob descriptors in memory (registry-config.ts leaves the cache out): a cached
// descriptor would make it answer for a blob we deleted with a 500 instead of fetching it again.
import { lstat, mkdir, readdir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { blobDataPath, storeLayout, V2, type StoreLayout } from '../scan/layout.js';
import type { StoreLook } from '../scan/store-look.js';
import type { MissingLink } from '../scan/types.js';
import { restoreInto } from './trash.js';

export { lookOf, type StoreLook } from '../scan/store-look.js';

/** The store holds something the sweep does not understand: the registry's own GC runs instead. */
export class SweepUnsupported extends Error {}

export interface SweepResult {
  /** present blobs the look found marked */
  marked: number;
  deleted: string[];
  deletedBytes: number;
  /** quarantined, then put back: a pull reached them meanwhile */
  rescued: string[];
  /** unreferenced, but written since the prune began: left for the next prune */
  young: number;
  /** uploads in flight when the quarantine ended, which the sweep waited for */
  uploadsInFlight: number;
  /** how long the sweep waited for them before its second look */
  waitedMs: number;
  ms: number;
}

export interface SweepOptions {
  /** the registry's storage root (the mirror's data dir) */
  store: string;
  /** the prune's trash directory: quarantined blobs wait there, in the store's layout */
  trash: string;
  /** epoch ms the prune began: nothing written since is deleted */
  since: number;
  /**
   * A fresh look at the store, told which digests to say are marked (the app: its scan worker, where
   * the model of the store is; else an in-process scanner). See `lookOf`.
   */
  look: (ask: readonly string[]) => Promise<StoreLook>;
  /** test hook: runs once every candidate is in quarantine (the crash-safety tests die here) */
  onQuarantined?: () => void;
}

function blobDir(layout: StoreLayout, digest: string): string {
  return dirname(blobDataPath(layout, digest));
}

/** A blob's directory in the quarantine: the store's `<2 hex>/<hex>`. */
function quarantined(quarantine: string, digest: string): string {
  const hex = digest.slice('sha256:'.length);
  return join(quarantine, hex.slice(0, 2), hex);
}

/** The quarantine inside a prune's trash: the blob directories, in the store's layout. */
export function quarantineOf(trash: string): string {
  return join(trash, V2, 'blobs', 'sha256');
}

/** Where a link the scanner reported missing lives, relative to the repositories directory. */
function linkPath(l: MissingLink): string {
  const hex = l.digest.slice('sha256:'.length);
  switch (l.kind) {
    case 'layer':
      return join(l.repository, '_layers', 'sha256', hex, 'link');
    case 'revision':
      return join(l.repository, '_manifests', 'revisions', 'sha256', hex, 'link');
    case 'tag-current':
      return join(l.repository, '_manifests', 'tags', l.tag ?? '', 'current', 'link');
    case 'tag-index':
      return join(l.repository, '_manifests', 'tags', l.tag ?? '', 'index', 'sha256', hex, 'link');
  }
}

/** Renames `from` to `to` unless something is there already (then `from` stays). */
async function renameIfAbsent(from: string, to: string): Promise<boolean> {
  if (await lstat(to).catch(() => undefined)) return false;
  await mkdir(dirname(to), { recursive: true });
  await rename(from, to);
  return true;
}

/**
 * File times come from the kernel's coarse clock, a tick or so behind Date.now(): a blob is a candidate
 * only if written this long before the prune began.
 */
const CANDIDATE_SLACK_MS = 50;
/**
 * A link counts as written since the prune began (it rescues its blob) back to this long before it:
 * generous, since rescuing too much only leaves a blob for the next prune, and a registry in a VM
 * (Docker Desktop) stamps files with a clock of its own.
 */
const RESCUE_SLACK_MS = 5000;
/** An upload written to within this long is in flight; older ones were abandoned (a pull cut off). */
const ACTIVE_UPLOAD_MS = 10 * 60_000;
/** The longest the sweep waits for uploads in flight before it looks again regardless. */
const UPLOAD_WAIT_MS = 60_000;

/** File-system calls in flight at once: libuv's thread pool runs four; a few more keep it fed. */
const POOL = 16;

/** Runs fn on every item, at most `limit` at a time. */
async function inPool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function sweep(o: SweepOptions): Promise<SweepResult> {
  const t0 = Date.now();
  const since = o.since - CANDIDATE_SLACK_MS;
  const layout = storeLayout(o.store);
  const first = await o.look([]);
  if (first.problem) throw new SweepUnsupported(first.problem);
  const quarantine = quarantineOf(o.trash);
  const sizes = new Map<string, number>();
  for (const { digest, size } of first.orphans) sizes.set(digest, size);
  const held: string[] = [];
  let young = 0;
  const prefixes = new Map<string, Promise<unknown>>();
  await inPool([...sizes.keys()], POOL, async (d) => {
    const data = await stat(blobDataPath(layout, d)).catch(() => undefined);
    if (!data) return; // gone since the look
    if (data.mtimeMs >= since) {
      young++;
      return;
    }
    const to = quarantined(quarantine, d);
    const dir = dirname(to);
    if (!prefixes.has(dir)) prefixes.set(dir, mkdir(dir, { recursive: true }));
    await prefixes.get(dir);
    // The quarantine is this prune's own and empty (recovery empties a killed one's first).
    if (
      await rename(blobDir(layout, d), to).then(
        () => true,
        () => false,
      )
    )
      held.push(d);
  });
  o.onQuarantined?.();

  let second: StoreLook;
  let uploadsInFlight: number;
  let waitedMs: number;
  try {
    ({ uploads: uploadsInFlight, waitedMs } = await uploadsEnded(layout.repositories));
    second = await o.look(held);
  } catch (err) {
    // No second look (the scan worker died, the store went away): nothing can be judged, all goes back.
    await releaseQuarantine(o.store, o.trash);
    throw err;
  }
  const marked = new Set(second.marked);
  const wanted = new Set<string>();
  for (const l of second.missingLinks) {
    if (marked.has(l.digest) || wanted.has(l.digest)) continue;
    const link = await lstat(join(layout.repositories, linkPath(l))).catch(() => undefined);
    if (link && link.mtimeMs >= o.since - RESCUE_SLACK_MS) wanted.add(l.digest);
  }
  const rescued: string[] = [];
  const deleted: string[] = [];
  let deletedBytes = 0;
  await inPool(held, POOL, async (d) => {
    const inQuarantine = quarantined(quarantine, d);
    if (marked.has(d) || wanted.has(d)) {
      // Stored again meanwhile (a pull fetched it anew): that copy serves; ours goes.
      await renameIfAbsent(inQuarantine, blobDir(layout, d));
      rescued.push(d);
      return;
    }
    // A blob directory holds its `data` file only: two calls, where rm would walk it.
    await unlink(join(inQuarantine, 'data'))
      .then(() => rmdir(inQuarantine))
      .catch(() => rm(inQuarantine, { recursive: true, force: true }));
    deletedBytes += sizes.get(d) ?? 0;
    deleted.push(d);
  });
  await rm(quarantine, { recursive: true, force: true });
  return {
    marked: first.blobCount - first.orphans.length,
    deleted: deleted.sort(),
    deletedBytes,
    rescued: rescued.sort(),
    young,
    uploadsInFlight,
    waitedMs,
    ms: Date.now() - t0,
  };
}

/** The upload directories (`<repository>/_uploads/<id>`) written to recently, anywhere in the store. */
async function uploadsInFlight(repositories: string, now: number): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    await Promise.all(
      entries.map(async (e) => {
        if (!e.isDirectory()) return;
        const path = join(dir, e.name);
        if (e.name === '_uploads') {
          for (const id of await readdir(path).catch(() => [] as string[])) {
            const upload = join(path, id);
            const times = await Promise.all(
              [upload, join(upload, 'data')].map((p) =>
                lstat(p).then(
                  (st) => st.mtimeMs,
                  () => 0,
                ),
              ),
            );
            if (Math.max(...times) >= now - ACTIVE_UPLOAD_MS) found.push(upload);
          }
        } else if (!e.name.startsWith('_')) await walk(path);
      }),
    );
  };
  await walk(repositories);
  return found;
}

/**
 * Waits until every upload in flight now has ended (its directory removed), polling, at most
 * UPLOAD_WAIT_MS; says how many there were and how long it waited.
 */
async function uploadsEnded(repositories: string): Promise<{ uploads: number; waitedMs: number }> {
  const t0 = Date.now();
  let open = await uploadsInFlight(repositories, t0);
  const uploads = open.length;
  while (open.length && Date.now() - t0 < UPLOAD_WAIT_MS) {
    await new Promise((r) => setTimeout(r, 25));
    const still = await Promise.all(
      open.map((p) =>
        lstat(p).then(
          () => true,
          () => false,
        ),
      ),
    );
    open = open.filter((_, i) => still[i]);
  }
  return { uploads, waitedMs: Date.now() - t0 };
}

/**
 * After a prune died during its sweep: every blob still in quarantine goes back where it was (unless
 * the store holds it again), so the next sweep judges the store as a whole again. Returns how many.
 */
export async function releaseQuarantine(store: string, trash: string): Promise<number> {
  const quarantine = quarantineOf(trash);
  // The quarantine is laid out as the blob store: a rollback's restore, file by file, never replacing.
  const { restored } = await restoreInto(quarantine, storeLayout(store).blobs);
  await rm(quarantine, { recursive: true, force: true });
  return restored;
}
