// Folds manifest requests into pulls per repository, tag and digest.
// A pull by tag is HEAD/GET of manifests/<tag>, then GETs of manifests by digest (the image, or an index's
// platform manifest) from the same client: those belong to it. A digest request with no tag request from
// that client just before is a pull by digest.
import type { ManifestRequest } from './log-entry.js';

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

export interface AccessRecords {
  version: 1;
  repos: Record<string, RepoAccess>;
  /** the newest log time folded in, and the request ids at that time: a re-read never counts twice */
  cursor: { time: number; ids: string[] };
}

export const emptyRecords = (): AccessRecords => ({ version: 1, repos: {}, cursor: { time: 0, ids: [] } });

/** How long after a tag request its digest requests still belong to the same pull. */
export const PULL_WINDOW_MS = 60_000;

function bump(c: PullCounter | undefined, time: number): PullCounter {
  return { lastPull: Math.max(c?.lastPull ?? 0, time), pulls: (c?.pulls ?? 0) + 1 };
}

export class AccessFolder {
  /** last tag request per client+repo, to attach the following digest requests to it */
  private recentTag = new Map<string, number>();
  /** last digest pull per client+repo: an index's platform manifest follows it within moments */
  private recentDigest = new Map<string, number>();
  constructor(readonly records: AccessRecords = emptyRecords()) {}

  /** Folds one request in; returns false when it was already counted. */
  add(r: ManifestRequest, online = true): boolean {
    const cur = this.records.cursor;
    if (r.time < cur.time || (r.time === cur.time && cur.ids.includes(r.requestId))) return false;
    if (r.time > cur.time) this.records.cursor = { time: r.time, ids: [r.requestId] };
    else cur.ids.push(r.requestId);

    const key = `${r.client}\n${r.repo}`;
    const repo = (this.records.repos[r.repo] ??= {
      lastPull: 0,
      pulls: 0,
      tags: {},
      digests: {},
      offlinePulls: 0,
    });
    if (!r.byDigest) {
      const prev = this.recentTag.get(key);
      this.recentTag.set(key, r.time);
      // dockerd sends HEAD then GET (or GET twice for an index): one pull.
      if (prev !== undefined && r.time - prev < 2_000) {
        const tag = repo.tags[r.reference];
        if (tag) tag.lastPull = Math.max(tag.lastPull, r.time);
        repo.lastPull = Math.max(repo.lastPull, r.time);
        return true;
      }
      repo.tags[r.reference] = bump(repo.tags[r.reference], r.time);
      Object.assign(repo, bump(repo, r.time));
      if (!online) repo.offlinePulls++;
      return true;
    }
    const tagAt = this.recentTag.get(key);
    const digestAt = this.recentDigest.get(key);
    if (
      (tagAt !== undefined && r.time - tagAt <= PULL_WINDOW_MS) ||
      (digestAt !== undefined && r.time - digestAt < 2_000)
    ) {
      repo.lastPull = Math.max(repo.lastPull, r.time);
      return true;
    }
    this.recentDigest.set(key, r.time);
    repo.digests[r.reference] = bump(repo.digests[r.reference], r.time);
    Object.assign(repo, bump(repo, r.time));
    if (!online) repo.offlinePulls++;
    return true;
  }
}
