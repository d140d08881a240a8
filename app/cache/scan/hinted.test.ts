// Refreshes with a hint (the repositories the access log saw pulled), the in-process time slicing, the
// digest table's compaction, and the worker's summary deltas.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { simulatePull, type SyntheticStore } from '../../../bench/synthetic-store.js';
import { DigestTable, IdSet } from './digests.js';
import { nodeFs, type CountingFs } from './fs-port.js';
import { createScanner, runToEnd, scanStore, type Scanner } from './scanner.js';
import { StoreModel } from './store-model.js';
import { summarize } from './summary.js';
import { StoreBuilder } from './test-store.js';
import { scanFixture, withoutTiming } from './test-fixture.js';
import { createWorkerScanner } from './worker-scanner.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const content = withoutTiming;
const timeless = withoutTiming;

let dir: string;
let synthetic: SyntheticStore;
let fs: CountingFs;
let scanner: Scanner;
let store: StoreBuilder;

beforeEach(async () => {
  ({ dir, synthetic, fs, scanner, store } = await scanFixture('scan-hint-', 11));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const blobsDir = () => join(store.v2, 'blobs', 'sha256') + sep;

describe('a refresh with a hint', () => {
  it('reads the hinted repository and the blobs it newly links, nothing else, and equals a full scan', async () => {
    await scanner.refresh();
    const pulled = 'library/app-3';
    const img = simulatePull(dir, pulled, 'new-tag');
    fs.reset();
    const next = await scanner.refresh({ repositories: [pulled] });
    expect(next.work).toEqual({
      repositoriesRead: [pulled],
      blobPrefixesListed: 0,
      blobsStatted: 7,
      manifestsRead: 1,
    });
    // The blob store is not listed: the seven new blobs are looked up directly.
    expect(fs.under(blobsDir(), 'readdir')).toEqual([]);
    expect(fs.under(blobsDir(), 'lstat').length).toBeLessThanOrEqual(3 * 7);
    // Other repositories: not even a fingerprint.
    const pulledDir = store.repoDir(pulled) + sep;
    for (const r of synthetic.repositories.filter((x) => x.name !== pulled)) {
      expect(fs.under(store.repoDir(r.name) + sep).filter((c) => !c.path.startsWith(pulledDir))).toEqual([]);
    }
    const repo = next.repositories.find((r) => r.name === pulled);
    expect(repo?.tags.find((t) => t.name === 'new-tag')?.currentDigest).toBe(img.manifest);
    expect(content(next)).toEqual(content(await scanStore(dir)));
  });

  it('trusts what it was not told about until a refresh without a hint', async () => {
    await scanner.refresh();
    simulatePull(dir, 'library/app-4', 'elsewhere');
    const expired = [...synthetic.blobSizes.keys()].find((d) =>
      synthetic.repositories.find((r) => r.name === 'library/app-7')?.blobs.includes(d),
    ) as string;
    rmSync(join(store.blobPath(expired), '..'), { recursive: true });
    const hinted = await scanner.refresh({ repositories: ['library/app-3'] });
    expect(hinted.repositories.find((r) => r.name === 'library/app-4')?.tags).toHaveLength(3);
    expect(hinted.blobSizes[expired]).toBeDefined();
    const full = await scanner.refresh();
    expect(full.work.repositoriesRead).toEqual(['library/app-4']);
    expect(full.repositories.find((r) => r.name === 'library/app-4')?.tags).toHaveLength(4);
    expect(full.blobSizes[expired]).toBeUndefined();
    expect(content(full)).toEqual(content(await scanStore(dir)));
  });

  it('finds a new repository and drops a removed one when hinted, and ignores names that are not names', async () => {
    await scanner.refresh();
    const img = store.image('brand/new/deep', 'latest', ['a layer of the new repository']);
    rmSync(store.repoDir('library/app-1'), { recursive: true });
    const next = await scanner.refresh({
      repositories: ['brand/new/deep', 'library/app-1', '../../etc', ''],
    });
    expect(next.work.repositoriesRead).toEqual(['brand/new/deep']);
    expect(next.repositories.map((r) => r.name)).toContain('brand/new/deep');
    expect(next.repositories.map((r) => r.name)).not.toContain('library/app-1');
    expect(next.blobSizes[img.manifest]).toBeGreaterThan(0);
    expect(content(next)).toEqual(content(await scanStore(dir)));
  });

  it('looks again at a repository read too soon after a change, even when the hint names another', async () => {
    const quick = mkdtempSync(join(tmpdir(), 'scan-hint-racy-'));
    try {
      const b = new StoreBuilder(quick);
      const one = b.image('r/x', 'latest', ['one']);
      const two = b.image('r/x', 'v2', ['two']);
      const s = createScanner(quick);
      expect((await s.refresh()).repositories[0]?.tags[0]?.currentDigest).toBe(one.manifest);
      writeFileSync(join(b.repoDir('r/x'), '_manifests/tags/latest/current/link'), two.manifest);
      const next = await s.refresh({ repositories: ['r/other'] });
      expect(next.repositories[0]?.tags[0]?.currentDigest).toBe(two.manifest);
    } finally {
      rmSync(quick, { recursive: true, force: true });
    }
  });

  it('is a full scan the first time', async () => {
    const first = await scanner.refresh({ repositories: ['library/app-3'] });
    expect(first.work.repositoriesRead).toHaveLength(40);
    expect(content(first)).toEqual(content(await scanStore(dir)));
  });
});

describe('the in-process scanner', () => {
  it('lets the event loop turn while it scans', async () => {
    let turns = 0;
    let on = true;
    const spin = () => {
      if (!on) return;
      turns++;
      setImmediate(spin);
    };
    spin();
    await createScanner(dir, { sliceMs: 1 }).refresh();
    on = false;
    expect(turns).toBeGreaterThan(5);
  });
});

describe('the digest table', () => {
  it('interns digests and compacts away those nothing refers to', () => {
    const t = new DigestTable();
    const a = t.id(`sha256:${'a'.repeat(64)}`);
    const b = t.hexId('b'.repeat(64));
    expect(t.id(`sha256:${'a'.repeat(64)}`)).toBe(a);
    expect(t.hexId('a'.repeat(64))).toBe(a);
    t.size[b] = 42;
    for (let i = 0; i < 3000; i++) t.hexId(i.toString(16).padStart(64, '0'));
    expect(t.present(b)).toBe(true);
    expect(t.present(a)).toBe(false);
    expect(t.sorted([b, a])).toEqual([a, b]);
    const map = t.compact((id) => id === b);
    expect(t.length).toBe(1);
    expect(map[b]).toBe(0);
    expect(map[a]).toBe(-1);
    expect(t.hexes).toEqual(['b'.repeat(64)]);
    expect(t.digest(0)).toBe(`sha256:${'b'.repeat(64)}`);
    expect(t.size[0]).toBe(42);
    expect(t.hexId('b'.repeat(64))).toBe(0);
  });

  it('id sets clear in constant time and grow', () => {
    const s = new IdSet();
    expect(s.add(5000)).toBe(true);
    expect(s.add(5000)).toBe(false);
    expect(s.has(5000)).toBe(true);
    s.clear();
    expect(s.has(5000)).toBe(false);
    expect(s.has(-1)).toBe(false);
  });

  it('a model that compacts on every refresh gives the results of a fresh scan', async () => {
    const model = new StoreModel(dir, { fs: nodeFs, racyWindowMs: 50, compactSlack: 0 });
    runToEnd(model.refresh());
    // Digests go away (a repository and its blobs), others come (a pull), refreshes with and without hint.
    rmSync(store.repoDir('library/app-2'), { recursive: true });
    for (const d of synthetic.repositories.find((r) => r.name === 'library/app-2')?.blobs ?? []) {
      if (synthetic.repositories.filter((r) => r.blobs.includes(d)).length === 1)
        rmSync(join(store.blobPath(d), '..'), { recursive: true, force: true });
    }
    runToEnd(model.refresh());
    expect(content(model.result())).toEqual(content(await scanStore(dir)));
    simulatePull(dir, 'library/app-5', 'after-compaction');
    runToEnd(model.refresh({ repositories: ['library/app-5'] }));
    expect(content(model.result())).toEqual(content(await scanStore(dir)));
    await sleep(60);
    runToEnd(model.refresh());
    expect(content(model.result())).toEqual(content(await scanStore(dir)));
  });
});

describe('summaries from the worker', () => {
  it('after the first, only what changed crosses: unchanged entries are the same objects', async () => {
    const worker = createWorkerScanner(dir, { pageWeight: 3 });
    try {
      const first = await worker.refreshSummary();
      expect(timeless(first)).toEqual(timeless(summarize(await scanStore(dir))));
      simulatePull(dir, 'library/app-6', 'pulled');
      rmSync(store.repoDir('library/app-8'), { recursive: true });
      store.image('aaa/first', 'latest', ['sorted before every other repository']);
      const second = await worker.refreshSummary({
        repositories: ['library/app-6', 'library/app-8', 'aaa/first'],
      });
      expect(timeless(second)).toEqual(timeless(summarize(await scanStore(dir))));
      const before = new Map(first.repositories.map((r) => [r.name, r]));
      for (const r of second.repositories) {
        const same = before.get(r.name) === r;
        expect([r.name, same]).toEqual([r.name, !['library/app-6', 'aaa/first'].includes(r.name)]);
      }
      // Nothing changed: the same entries again, all of them.
      const third = await worker.refreshSummary({ repositories: [] });
      expect(third.repositories).toHaveLength(second.repositories.length);
      third.repositories.forEach((r, i) => expect(r).toBe(second.repositories[i]));
      await sleep(60);
      const fourth = await worker.refreshSummary();
      expect(timeless(fourth)).toEqual(timeless(summarize(await scanStore(dir))));
    } finally {
      await worker.close();
    }
  });
});
