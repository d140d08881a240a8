// Folds manifest requests into pulls per repository, tag and digest.
// A pull by tag is HEAD/GET of manifests/<tag>, then GETs of manifests by digest (the image, or an index's
// platform manifest) from the same client: those belong to it. A digest request with no tag request from
// that client just before is a pull by digest.
import type { LogEntry, ManifestRequest } from './log-entry.js';

export interface PullCounter {
  lastPull: number;
  pulls: number;
}

export interface RepoAccess extends PullCounter {
  tags: Record<string, PullCounter>;
  digests: Record<string, PullCounter>;
  /** pulls while the mirror served without its upstream (offline mode) */
  offlinePulls: number;
}

/** Blob downloads seen in the log: a miss is one for which the registry went to the upstream. */
export interface BlobCounters {
  requests: number;
  hits: number;
  misses: number;
  /** bytes sent to clients from the cache */
  bytesFromCache: number;
  /** bytes sent to clients that the registry fetched from the upstream first */
  bytesFromUpstream: number;
}

export interface AccessRecords {
  version: 1;
  repos: Record<string, RepoAccess>;
  blobs: BlobCounters;
  /** when the registry last failed to write for lack of space, and last stored a copy (ms) */
  diskFullAt?: number;
  lastStoredAt?: number;
  /** when a prune or reset last freed space: a disk-full error before it is history */
  spaceFreedAt?: number;
  /** the newest log time folded in, and the request ids at that time: a re-read never counts twice */
  cursor: { time: number; ids: string[] };
}

export const emptyBlobCounters = (): BlobCounters => ({
  requests: 0,
  hits: 0,
  misses: 0,
  bytesFromCache: 0,
  bytesFromUpstream: 0,
});

export const emptyRecords = (): AccessRecords => ({
  version: 1,
  repos: {},
  blobs: emptyBlobCounters(),
  cursor: { time: 0, ids: [] },
});

/** How long after a tag request its digest requests still belong to the same pull. */
export const PULL_WINDOW_MS = 5_000;

function bump(c: PullCounter | undefined, time: number): PullCounter {
  return { lastPull: Math.max(c?.lastPull ?? 0, time), pulls: (c?.pulls ?? 0) + 1 };
}

export class AccessFolder {
  /** per client+repo: the manifest-by-digest requests still expected as part of a pull in progress */
  private expected = new Map<string, { until: number; slots: number; tagTime: number }>();
  /** request ids that went to the upstream (bounded: a request's lines arrive within moments) */
  private upstream = new Set<string>();

  constructor(readonly records: AccessRecords = emptyRecords()) {
    records.blobs ??= emptyBlobCounters();
  }

  /** Folds one log entry in; returns false when it was already counted or tells nothing new. */
  addEntry(e: LogEntry, online = true): boolean {
    if (e.kind === 'upstream') {
      this.upstream.add(e.requestId);
      if (this.upstream.size > 10_000) this.upstream.delete(this.upstream.values().next().value!);
      return false;
    }
    if (e.kind === 'disk-full') {
      this.records.diskFullAt = Math.max(this.records.diskFullAt ?? 0, e.time);
      return true;
    }
    if (e.kind === 'stored') {
      this.records.lastStoredAt = Math.max(this.records.lastStoredAt ?? 0, e.time);
      return true;
    }
    if (!this.fresh(e.time, e.requestId)) return false;
    if (e.kind === 'manifest') return this.add(e, online, false);
    const b = this.records.blobs;
    b.requests++;
    if (this.upstream.has(e.requestId)) {
      b.misses++;
      b.bytesFromUpstream += e.bytes;
    } else {
      b.hits++;
      b.bytesFromCache += e.bytes;
    }
    return true;
  }

  /** Moves the cursor; false for a line already folded in (a log read again after a restart). */
  private fresh(time: number, id: string): boolean {
    const cur = this.records.cursor;
    if (time < cur.time || (time === cur.time && cur.ids.includes(id))) return false;
    if (time > cur.time) this.records.cursor = { time, ids: [id] };
    else cur.ids.push(id);
    return true;
  }

  /** Folds one manifest request in; returns false when it was already counted. */
  add(r: ManifestRequest, online = true, checkCursor = true): boolean {
    if (checkCursor && !this.fresh(r.time, r.requestId)) return false;

    const key = `${r.client}\n${r.repo}`;
    const repo = (this.records.repos[r.repo] ??= {
      lastPull: 0,
      pulls: 0,
      tags: {},
      digests: {},
      offlinePulls: 0,
    });
    const pending = this.expected.get(key);
    const inPull = pending !== undefined && r.time <= pending.until;
    if (!r.byDigest) {
      // dockerd sends HEAD then GET of the same tag (or GET twice for an index): still one pull. A HEAD
      // always starts one: a pull whose manifest dockerd already holds is a lone HEAD, and such pulls
      // can follow each other within milliseconds.
      if (inPull && r.method === 'GET' && r.time - pending.tagTime < 2_000) {
        const tag = repo.tags[r.reference];
        if (tag) tag.lastPull = Math.max(tag.lastPull, r.time);
        repo.lastPull = Math.max(repo.lastPull, r.time);
        if (r.method === 'GET') pending.slots = 1;
        return true;
      }
      // A tag answered with a manifest is followed by one GET of it by digest; an index by its platform's.
      this.expected.set(key, { until: r.time + PULL_WINDOW_MS, slots: 1, tagTime: r.time });
      repo.tags[r.reference] = bump(repo.tags[r.reference], r.time);
      Object.assign(repo, bump(repo, r.time));
      if (!online) repo.offlinePulls++;
      return true;
    }
    if (inPull && pending.slots > 0) {
      pending.slots--;
      if (r.isIndex) pending.slots++;
      repo.lastPull = Math.max(repo.lastPull, r.time);
      return true;
    }
    // A pull by digest; an index fetched this way brings its platform manifest along.
    this.expected.set(key, { until: r.time + PULL_WINDOW_MS, slots: r.isIndex ? 1 : 0, tagTime: -Infinity });
    repo.digests[r.reference] = bump(repo.digests[r.reference], r.time);
    Object.assign(repo, bump(repo, r.time));
    if (!online) repo.offlinePulls++;
    return true;
  }
}
