import { describe, expect, it } from 'vitest';
import { emptyRecords, type AccessRecords } from './access/records.js';
import { lastPullOf, notPulledFor, overQuota, shrinkTo } from './retention.js';
import type { RepositoryScan, ScanResult } from './scan/types.js';

const DAY = 86_400_000;
const now = Date.parse('2026-11-29T00:00:00Z');

function repo(name: string, blobs: string[], linkMtime: number): RepositoryScan {
  return {
    name,
    gcEnumerated: true,
    tags: [{ name: 'latest', currentDigest: null, linkMtime }],
    revisions: [],
    layerLinks: blobs.length,
    blobs,
    totalBytes: 0,
    exclusiveBytes: 0,
    sharedBytes: 0,
    missingReferences: [],
    manifestProblems: [],
    uploads: { count: 0, bytes: 0 },
    diskBytes: 0,
  };
}

// base (100) is shared by a and b; a has 10 of its own, b 20, c 40 and an orphan of 5.
const sizes = { base: 100, a: 10, b: 20, c: 40, orphan: 5 };
const scan = {
  repositories: [
    repo('a', ['base', 'a'], now - 9 * DAY),
    repo('b', ['base', 'b'], now - 5 * DAY),
    repo('c', ['c'], now - 1 * DAY),
  ],
  blobSizes: sizes,
  blobBytes: 175,
  orphans: { digests: ['orphan'], bytes: 5 },
} as unknown as ScanResult;

const access = (over: Record<string, number>): AccessRecords => {
  const r = emptyRecords();
  for (const [name, lastPull] of Object.entries(over))
    r.repos[name] = { lastPull, pulls: 1, tags: {}, digests: {}, offlinePulls: 0 };
  return r;
};

describe('retention', () => {
  it('knows the last pull from the log, else from the tag links (pulls before the app watched)', () => {
    expect(lastPullOf(scan.repositories[0]!, undefined)).toBe(now - 9 * DAY);
    expect(lastPullOf(scan.repositories[0]!, access({ a: now - DAY }))).toBe(now - DAY);
  });

  it('not pulled for N days', () => {
    expect(notPulledFor(scan, undefined, 7, now)).toEqual([{ repo: 'a' }]);
    expect(notPulledFor(scan, undefined, 3, now)).toEqual([{ repo: 'a' }, { repo: 'b' }]);
    // A pull seen in the log yesterday keeps a.
    expect(notPulledFor(scan, access({ a: now - DAY }), 3, now)).toEqual([{ repo: 'b' }]);
  });

  it('shrinks least recently pulled first, freeing a shared layer only with its last user', () => {
    // 170 after the orphan goes. Removing a frees only 10 (base is b's too).
    expect(shrinkTo(scan, undefined, 170)).toEqual([]);
    expect(shrinkTo(scan, undefined, 160)).toEqual([{ repo: 'a' }]);
    expect(shrinkTo(scan, undefined, 159)).toEqual([{ repo: 'a' }, { repo: 'b' }]); // 170-10-120 = 40
    expect(shrinkTo(scan, undefined, 0)).toEqual([{ repo: 'a' }, { repo: 'b' }, { repo: 'c' }]);
    // The log saw a and b pulled just now: c is the least recently pulled.
    expect(shrinkTo(scan, access({ a: now, b: now }), 130)).toEqual([{ repo: 'c' }]);
  });

  it('asks for a prune only when the cache is over its quota', () => {
    expect(overQuota(scan, undefined, null)).toEqual([]);
    expect(overQuota(scan, undefined, 200)).toEqual([]);
    expect(overQuota(scan, undefined, 165)).toEqual([{ repo: 'a' }]);
  });
});
