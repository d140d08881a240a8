// The slim scan summary and the worker API built on it: the summary, in pages, equals summarize() of an
// in-process scan; prune plans and repository details come from the worker's last full scan.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../util/errors.js';
import { planPrune, type PrunePlan, type PruneItem } from '../prune/plan.js';
import { MEDIA_TYPES } from './manifest.js';
import { scanStore } from './scanner.js';
import { summarize, type ScanSummary } from './summary.js';
import { StoreBuilder } from './test-store.js';
import type { ScanResult } from './types.js';
import { createWorkerScanner } from './worker-scanner.js';

const timeless = ({ scannedAt: _s, durationMs: _d, work: _w, ...rest }: ScanSummary) => rest;
const planContent = ({ id: _i, createdAt: _c, ...rest }: PrunePlan) => rest;

let dir: string;
let store: StoreBuilder;
let scan: ScanResult;
const base = 'B'.repeat(4000);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'scan-summary-'));
  store = new StoreBuilder(dir);
  store.image('library/a', 'latest', [base, 'a'.repeat(700)]);
  store.image('library/b', 'latest', [base, 'b'.repeat(300)]);
  store.image('library/b', 'v2', [base, 'c'.repeat(200)]);
  store.image('org/team/c', 'latest', ['c only'.repeat(50)]);
  // More tags than a small page holds: such a repository still travels, alone in its page.
  for (let t = 0; t < 8; t++) store.image('library/many', `t${t}`, [base, `many ${t}`]);
  // A manifest referencing a blob the store lacks, an orphan, an upload, a dangling and an unreadable link.
  const cfg = store.blob('{"missing":"layer"}');
  store.manifest(
    {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.dockerManifest,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 19, digest: cfg },
      layers: [{ mediaType: 'x', size: 5, digest: 'sha256:' + 'e'.repeat(64) }],
    },
    'library/a',
  );
  store.blob('nobody links me');
  store.upload('library/b', 'u-1', 123);
  store.layerLink('org/team/c', 'sha256:' + 'f'.repeat(64));
  store.link('library/a', ['_manifests', 'revisions', 'sha256', 'd'.repeat(64)], 'not a digest');
  writeFileSync(join(dir, 'scheduler-state.json'), '{}');
  // Let the mtimes age past the racy window.
  await new Promise((r) => setTimeout(r, 120));
  scan = await scanStore(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('summarize', () => {
  it('keeps per-repository totals and tags, counts instead of digest lists', () => {
    const s = summarize(scan);
    expect(s.repositories.map((r) => r.name)).toEqual(scan.repositories.map((r) => r.name));
    for (const [i, r] of scan.repositories.entries()) {
      expect(s.repositories[i]).toEqual({
        name: r.name,
        gcEnumerated: r.gcEnumerated,
        tags: r.tags,
        revisionCount: r.revisions.length,
        layerLinks: r.layerLinks,
        blobCount: r.blobs.length,
        totalBytes: r.totalBytes,
        exclusiveBytes: r.exclusiveBytes,
        sharedBytes: r.sharedBytes,
        missingReferenceCount: r.missingReferences.length,
        manifestProblemCount: r.manifestProblems.length,
        uploads: r.uploads,
        diskBytes: r.diskBytes,
      });
    }
    const a = s.repositories.find((r) => r.name === 'library/a');
    expect(a?.missingReferenceCount).toBe(1);
    expect(s.orphans).toEqual({ count: scan.orphans.digests.length, bytes: scan.orphans.bytes });
    expect(s.orphans.count).toBeGreaterThan(0);
    expect(s.missingLinks).toEqual(scan.missingLinks);
    expect(s.missingLinks.length).toBeGreaterThan(0);
    expect(s.unreadableLinks).toEqual(scan.unreadableLinks);
    expect(s.unreadableLinks.length).toBeGreaterThan(0);
    expect(s.uploads).toEqual({ count: 1, bytes: scan.uploads.bytes });
    for (const k of ['dataDir', 'blobCount', 'blobBytes', 'referencedBytes', 'diskBytes'] as const)
      expect(s[k]).toBe(scan[k]);
  });

  it('shares nothing with the scan it summarizes', () => {
    const s = summarize(scan);
    s.repositories[0]!.tags[0]!.name = 'changed';
    s.missingLinks[0]!.digest = 'changed';
    s.work.repositoriesRead.push('changed');
    expect(scan.repositories[0]!.tags[0]!.name).not.toBe('changed');
    expect(scan.missingLinks[0]!.digest).not.toBe('changed');
    expect(scan.work.repositoriesRead).not.toContain('changed');
  });
});

describe('the worker scanner API', () => {
  it('refreshSummary equals summarize of an in-process scan, whatever the page size', async () => {
    for (const pageWeight of [1, 5, 1000]) {
      const scanner = createWorkerScanner(dir, { pageWeight });
      try {
        const s = await scanner.refreshSummary();
        expect(timeless(s)).toEqual(timeless(summarize(scan)));
        expect(s.work.repositoriesRead).toEqual(scan.repositories.map((r) => r.name));
        // A second summary of an unchanged store: an incremental refresh that read nothing.
        const again = await scanner.refreshSummary();
        expect(timeless(again)).toEqual(timeless(s));
        expect(again.work.repositoriesRead).toEqual([]);
      } finally {
        await scanner.close();
      }
    }
  });

  it('plans a prune on the worker exactly as planPrune does in-process', async () => {
    const cases: Array<[PruneItem[], string | undefined]> = [
      [[{ repo: 'library/a' }], undefined],
      [[{ repo: 'library/a' }, { repo: 'org/team/c' }], 'not pulled for 30 days'],
      [[{ repo: 'library/b', tag: 'v2' }], 'chosen'], // tag level: the worker reads tag links and manifests
      [
        [{ repo: 'library/many', tag: 't1' }, { repo: 'library/many', tag: 't2' }, { repo: 'library/b' }],
        'x',
      ],
    ];
    const scanner = createWorkerScanner(dir);
    try {
      await scanner.refreshSummary();
      for (const [items, reason] of cases) {
        const inWorker = await scanner.planPrune(items, reason);
        const inProcess = await planPrune(scan, dir, items, reason);
        expect(planContent(inWorker)).toEqual(planContent(inProcess));
        expect(inWorker.reason).toBe(reason ?? 'chosen');
        expect(inWorker.bytes).toBeGreaterThan(0);
      }
    } finally {
      await scanner.close();
    }
  });

  it('rejects a bad plan with the same AppError as in-process, and stays usable', async () => {
    const scanner = createWorkerScanner(dir);
    try {
      const err = await scanner.planPrune([{ repo: 'library/nope' }]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('INVALID_INPUT');
      expect((err as AppError).message).toMatch(/not in the cache: library\/nope/);
      await expect(scanner.planPrune([{ repo: 'library/b', tag: 'nope' }])).rejects.toThrow(
        /has no tag nope/,
      );
      expect((await scanner.planPrune([{ repo: 'library/a' }])).repositories).toEqual(['library/a']);
    } finally {
      await scanner.close();
    }
  });

  it('answers the details of one repository from its last full scan', async () => {
    const scanner = createWorkerScanner(dir);
    try {
      // No refresh yet: the worker scans first.
      expect(await scanner.repository('library/many')).toEqual(
        scan.repositories.find((r) => r.name === 'library/many'),
      );
      expect(await scanner.repository('library/nope')).toBeUndefined();
    } finally {
      await scanner.close();
    }
  });

  it('plans on the last scan, not on a store changed since: a refresh brings the change in', async () => {
    const changing = mkdtempSync(join(tmpdir(), 'scan-summary-change-'));
    const scanner = createWorkerScanner(changing);
    try {
      const b = new StoreBuilder(changing);
      b.image('library/one', 'latest', ['one']);
      expect((await scanner.refreshSummary()).repositories.map((r) => r.name)).toEqual(['library/one']);
      b.image('library/two', 'latest', ['two']);
      await expect(scanner.planPrune([{ repo: 'library/two' }])).rejects.toThrow(/not in the cache/);
      expect(await scanner.repository('library/two')).toBeUndefined();
      await scanner.refreshSummary();
      expect((await scanner.planPrune([{ repo: 'library/two' }])).repositories).toEqual(['library/two']);
    } finally {
      await scanner.close();
      rmSync(changing, { recursive: true, force: true });
    }
  });

  it('rejects pending and later calls once closed', async () => {
    const scanner = createWorkerScanner(dir);
    const pending = scanner.refreshSummary().catch((e: unknown) => e);
    await scanner.close();
    expect(await pending).toBeInstanceOf(Error);
    expect(String(await pending)).toMatch(/closed/);
    await expect(scanner.planPrune([{ repo: 'library/a' }])).rejects.toThrow(/closed/);
    await expect(scanner.repository('library/a')).rejects.toThrow(/closed/);
  });
});
