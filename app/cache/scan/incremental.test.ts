import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SyntheticStore } from '../../../bench/synthetic-store.js';
import type { CountingFs } from './fs-port.js';
import { createScanner, scanStore, type Scanner } from './scanner.js';
import { StoreBuilder } from './test-store.js';
import { scanFixture, withoutTiming } from './test-fixture.js';

const content = withoutTiming;

let dir: string;
let synthetic: SyntheticStore;
let fs: CountingFs;
let scanner: Scanner;
let store: StoreBuilder;

beforeEach(async () => {
  ({ dir, synthetic, fs, scanner, store } = await scanFixture('scan-incr-', 7));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const reposRoot = () => join(store.v2, 'repositories');
const blobPrefixes = () => join(store.v2, 'blobs', 'sha256') + sep;

describe('createScanner refresh', () => {
  it('re-reads nothing when nothing changed', async () => {
    const first = await scanner.refresh();
    expect(first.work.repositoriesRead).toHaveLength(40);
    expect(first.work.blobsStatted).toBe(synthetic.blobSizes.size);
    fs.reset();
    const second = await scanner.refresh();
    expect(second.work).toEqual({
      repositoriesRead: [],
      blobPrefixesListed: 0,
      blobsStatted: 0,
      manifestsRead: 0,
    });
    expect(fs.calls.filter((c) => c.op === 'readFile')).toEqual([]);
    expect(fs.under(reposRoot(), 'readdir')).toEqual([]);
    expect(fs.under(blobPrefixes(), 'readdir')).toEqual([]);
    expect(content(second)).toEqual(content(first));
  });

  it('after one pull re-reads only the pulled repository and only the new blobs', async () => {
    const first = await scanner.refresh();
    const pulled = 'library/app-3';
    // What a pull of a new `latest` does: new blobs, layer links, a revision, current/link rewritten in place.
    const img = store.image(pulled, 'latest', ['a brand new layer', 'another new layer']);
    fs.reset();
    const next = await scanner.refresh();

    expect(next.work.repositoriesRead).toEqual([pulled]);
    expect(next.work.blobsStatted).toBe(4);
    expect(next.work.manifestsRead).toBe(1);
    expect(next.work.blobPrefixesListed).toBeLessThanOrEqual(4);
    expect(fs.under(blobPrefixes(), 'readdir').length).toBeLessThanOrEqual(4);
    const pulledDir = store.repoDir(pulled) + sep;
    for (const r of first.repositories.filter((x) => x.name !== pulled)) {
      const calls = fs.under(store.repoDir(r.name) + sep).filter((c) => !c.path.startsWith(pulledDir));
      // A fingerprint only: four directories and each tag's current/link.
      expect(calls.every((c) => c.op === 'lstat')).toBe(true);
      expect(calls.length).toBeLessThanOrEqual(4 + r.tags.length);
    }
    const repo = next.repositories.find((r) => r.name === pulled);
    expect(repo?.tags.find((t) => t.name === 'latest')?.currentDigest).toBe(img.manifest);
    expect(repo?.blobs).toEqual(expect.arrayContaining([img.manifest, img.config, ...img.layers]));
    expect(content(next)).toEqual(content(await scanStore(dir)));
  });

  it('notices a blob deleted by expiry without re-reading repositories', async () => {
    await scanner.refresh();
    const base = [...synthetic.blobSizes.keys()].find(
      (d) => synthetic.repositories.filter((r) => r.blobs.includes(d)).length > 1,
    ) as string;
    rmSync(join(store.blobPath(base), '..'), { recursive: true });
    const next = await scanner.refresh();
    expect(next.work.repositoriesRead).toEqual([]);
    expect(next.blobSizes[base]).toBeUndefined();
    const linking = synthetic.repositories.filter((r) => r.blobs.includes(base)).map((r) => r.name);
    const missing = next.missingLinks.filter((l) => l.digest === base);
    expect(missing.every((l) => l.kind === 'layer')).toBe(true);
    expect(missing.map((l) => l.repository).sort()).toEqual(linking.sort());
    expect(content(next)).toEqual(content(await scanStore(dir)));
  });

  it('picks up new and removed repositories', async () => {
    await scanner.refresh();
    store.image('brand/new', 'latest', ['new repo layer']);
    rmSync(store.repoDir('library/app-1'), { recursive: true });
    const next = await scanner.refresh();
    expect(next.work.repositoriesRead).toEqual(['brand/new']);
    expect(next.repositories.map((r) => r.name)).toContain('brand/new');
    expect(next.repositories.map((r) => r.name)).not.toContain('library/app-1');
    expect(content(next)).toEqual(content(await scanStore(dir)));
  });

  it('does not miss a change made right after a scan (mtimes within the racy window are not trusted)', async () => {
    const quick = mkdtempSync(join(tmpdir(), 'scan-racy-'));
    try {
      const b = new StoreBuilder(quick);
      const one = b.image('r/x', 'latest', ['one']);
      const two = b.image('r/x', 'v2', ['two']);
      const s = createScanner(quick);
      expect((await s.refresh()).repositories[0]?.tags[0]?.currentDigest).toBe(one.manifest);
      // Re-point the tag in place, as the registry does: no directory changes, maybe the same mtime.
      writeFileSync(join(b.repoDir('r/x'), '_manifests/tags/latest/current/link'), two.manifest);
      expect((await s.refresh()).repositories[0]?.tags[0]?.currentDigest).toBe(two.manifest);
    } finally {
      rmSync(quick, { recursive: true, force: true });
    }
  });

  it('runs concurrent refreshes one after the other', async () => {
    const [a, b] = await Promise.all([scanner.refresh(), scanner.refresh()]);
    expect(a.work.repositoriesRead).toHaveLength(40);
    expect(b.work.repositoriesRead).toEqual([]);
    expect(scanner.last).toBe(b);
  });
});
