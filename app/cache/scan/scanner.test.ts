import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MEDIA_TYPES } from './manifest.js';
import { planRepositoryRemoval } from './reachability.js';
import { scanStore } from './scanner.js';
import { duBytes, sha256, StoreBuilder } from './test-store.js';
import type { RepositoryScan, ScanResult } from './types.js';

const repo = (scan: ScanResult, name: string): RepositoryScan => {
  const r = scan.repositories.find((x) => x.name === name);
  if (!r) throw new Error(`no repository ${name} in ${scan.repositories.map((x) => x.name).join(', ')}`);
  return r;
};
const size = (b: StoreBuilder, digest: string) => statSync(b.blobPath(digest)).size;
const sum = (b: StoreBuilder, digests: string[]) => digests.reduce((n, d) => n + size(b, d), 0);

let dir: string;
let store: StoreBuilder;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scan-'));
  store = new StoreBuilder(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('scanStore on hand-built stores', () => {
  it('sizes repositories exactly: total, exclusive, shared, deduplicated total, du', async () => {
    const base = 'B'.repeat(5000);
    const a = store.image('library/a', 'latest', [base, 'a'.repeat(700)]);
    const b1 = store.image('library/b', 'latest', [base, 'b'.repeat(300)]);
    const b2 = store.image('library/b', 'v2', [base, 'c'.repeat(200), 'b'.repeat(300)]);
    writeFileSync(join(dir, 'scheduler-state.json'), '{}');

    const scan = await scanStore(dir);
    const ra = repo(scan, 'library/a');
    const rb = repo(scan, 'library/b');
    const aBlobs = [a.manifest, a.config, ...a.layers];
    const bBlobs = [...new Set([b1.manifest, b1.config, ...b1.layers, b2.manifest, b2.config, ...b2.layers])];
    expect(ra.blobs).toEqual([...aBlobs].sort());
    expect(rb.blobs).toEqual([...bBlobs].sort());
    expect(ra.totalBytes).toBe(sum(store, aBlobs));
    expect(ra.exclusiveBytes).toBe(sum(store, aBlobs) - 5000);
    expect(ra.sharedBytes).toBe(5000);
    expect(rb.totalBytes).toBe(sum(store, bBlobs));
    expect(rb.exclusiveBytes).toBe(sum(store, bBlobs) - 5000);
    expect(rb.tags.map((t) => [t.name, t.currentDigest])).toEqual([
      ['latest', b1.manifest],
      ['v2', b2.manifest],
    ]);
    expect(rb.tags[0]?.linkMtime).toBe(
      statSync(join(store.repoDir('library/b'), '_manifests/tags/latest/current/link')).mtimeMs,
    );
    expect(rb.revisions).toEqual([b1.manifest, b2.manifest].sort());
    expect(rb.layerLinks).toBe(5); // base, two configs, b, c
    const all = [...new Set([...aBlobs, ...bBlobs])];
    expect(scan.blobCount).toBe(all.length);
    expect(scan.blobBytes).toBe(sum(store, all));
    expect(scan.referencedBytes).toBe(scan.blobBytes);
    expect(scan.orphans).toEqual({ digests: [], bytes: 0 });
    expect(scan.missingLinks).toEqual([]);
    expect(scan.diskBytes).toBe(await duBytes(dir));
  });

  it('reports orphan blobs and plans removals exactly', async () => {
    const base = 'B'.repeat(4000);
    const a = store.image('library/a', 'latest', [base, 'a'.repeat(100)]);
    const b = store.image('library/b', 'latest', [base, 'b'.repeat(100)]);
    const orphan = store.blob('nobody references me');
    const scan = await scanStore(dir);
    expect(scan.orphans).toEqual({ digests: [orphan], bytes: 20 });

    const planA = planRepositoryRemoval(scan, ['library/a', 'nope']);
    expect(planA.repositories).toEqual(['library/a']);
    expect(planA.unknown).toEqual(['nope']);
    expect(planA.digests).toEqual([a.manifest, a.config, a.layers[1]].sort());
    expect(planA.bytes).toBe(repo(scan, 'library/a').exclusiveBytes);
    expect(planA.gcBytes).toBe(planA.bytes + 20);
    expect(planA.gcDigestCount).toBe(4);

    const both = planRepositoryRemoval(scan, ['library/a', 'library/b']);
    expect(both.digests).toEqual(
      [...new Set([a.manifest, a.config, ...a.layers, b.manifest, b.config, ...b.layers])].sort(),
    );
    expect(both.bytes).toBe(scan.referencedBytes);
  });

  it('follows a multi-platform index the way GC does, reporting platforms that were never pulled', async () => {
    const amd = store.image('library/multi', null, ['shared', 'amd64 layer']);
    const arm = store.image('library/multi', null, ['shared', 'arm64 layer']);
    const never = sha256('a platform nobody pulled');
    const index = store.manifest(
      {
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociIndex,
        manifests: [
          {
            mediaType: MEDIA_TYPES.dockerManifest,
            digest: amd.manifest,
            size: amd.manifestSize,
            platform: { os: 'linux', architecture: 'amd64' },
          },
          {
            mediaType: MEDIA_TYPES.dockerManifest,
            digest: arm.manifest,
            size: arm.manifestSize,
            platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
          },
          {
            mediaType: MEDIA_TYPES.dockerManifest,
            digest: never,
            size: 500,
            platform: { os: 'linux', architecture: 's390x' },
          },
        ],
      },
      'library/multi',
    );
    store.tag('library/multi', 'latest', index.digest);

    const scan = await scanStore(dir);
    const m = repo(scan, 'library/multi');
    const present = [
      index.digest,
      amd.manifest,
      amd.config,
      ...amd.layers,
      arm.manifest,
      arm.config,
      ...arm.layers,
    ];
    expect(m.blobs).toEqual([...new Set([...present, never])].sort());
    expect(m.totalBytes).toBe(sum(store, [...new Set(present)]));
    expect(m.exclusiveBytes).toBe(m.totalBytes);
    expect(m.missingReferences).toEqual([
      { digest: never, role: 'manifest', manifest: index.digest, platform: 'linux/s390x' },
    ]);
    expect(scan.orphans.digests).toEqual([]);
  });

  it('does not follow an index into a platform manifest that is not a revision of the repository', async () => {
    // GC marks the platform manifest's blob but not its layers (its own revision link would mark those).
    const platform = store.image('library/m', null, ['only reachable through the platform manifest'], {
      link: false,
    });
    const index = store.manifest(
      {
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.dockerList,
        manifests: [{ digest: platform.manifest, size: platform.manifestSize }],
      },
      'library/m',
    );
    store.tag('library/m', 'latest', index.digest);
    store.layerLink('library/m', platform.config);
    const scan = await scanStore(dir);
    expect(repo(scan, 'library/m').blobs).toEqual([index.digest, platform.manifest].sort());
    expect(scan.orphans.digests).toEqual([platform.config, ...platform.layers].sort());
  });

  it('reports links whose blob is missing, and skips revisions whose blob is gone as GC does', async () => {
    const img = store.image('library/a', 'latest', ['layer one', 'layer two']);
    const gone = store.image('library/a', 'old', ['old layer']);
    rmSync(join(store.blobPath(img.layers[1] as string), '..'), { recursive: true });
    rmSync(join(store.blobPath(gone.manifest), '..'), { recursive: true });
    const scan = await scanStore(dir);
    const a = repo(scan, 'library/a');
    expect(scan.missingLinks).toEqual(
      expect.arrayContaining([
        { repository: 'library/a', kind: 'layer', digest: img.layers[1] },
        { repository: 'library/a', kind: 'revision', digest: gone.manifest },
        { repository: 'library/a', kind: 'tag-current', digest: gone.manifest, tag: 'old' },
        { repository: 'library/a', kind: 'tag-index', digest: gone.manifest, tag: 'old' },
      ]),
    );
    expect(scan.missingLinks).toHaveLength(4);
    expect(a.blobs).not.toContain(gone.manifest);
    expect(a.missingReferences).toEqual([{ digest: img.layers[1], role: 'layer', manifest: img.manifest }]);
    // The old image's config and layer are reached by nothing now.
    expect(scan.orphans.digests).toEqual([gone.config, ...gone.layers].sort());
  });

  it('counts uploads in progress, also in a directory that is not a repository yet', async () => {
    store.image('library/a', 'latest', ['x']);
    store.upload('library/a', 'u-1', 1000);
    store.upload('library/a', 'u-2', 24);
    store.upload('library/fresh', 'u-3', 5);
    const scan = await scanStore(dir);
    // data + startedat (20 bytes) + one hash state (10 bytes) per upload
    expect(repo(scan, 'library/a').uploads).toEqual({ count: 2, bytes: 1000 + 24 + 2 * 30 });
    expect(scan.uploads).toEqual({ count: 3, bytes: 1000 + 24 + 5 + 3 * 30 });
    expect(scan.repositories.map((r) => r.name)).toEqual(['library/a']);
    expect(scan.diskBytes).toBe(await duBytes(dir));
  });

  it('finds nested repositories and flags those GC does not enumerate (no _layers)', async () => {
    const ab = store.image('a/b', 'latest', ['ab']);
    const abc = store.image('a/b/c', 'latest', ['abc', 'ab']);
    // Manifests only: what a pull leaves when the engine already had every layer.
    const layerless = store.manifest(
      { schemaVersion: 2, mediaType: MEDIA_TYPES.dockerManifest, config: { digest: abc.config }, layers: [] },
      'x/manifests-only',
    );
    store.tag('x/manifests-only', 'latest', layerless.digest);
    const scan = await scanStore(dir);
    expect(scan.repositories.map((r) => [r.name, r.gcEnumerated])).toEqual([
      ['a/b', true],
      ['a/b/c', true],
      ['x/manifests-only', false],
    ]);
    expect(repo(scan, 'a/b').sharedBytes).toBe(2); // the 'ab' layer
    const only = repo(scan, 'x/manifests-only');
    expect(only.totalBytes).toBe(layerless.size + size(store, abc.config));
    // GC frees its manifest even while it stays: exclusive is what no enumerated repository marks.
    expect(only.exclusiveBytes).toBe(layerless.size);
    expect(scan.orphans.digests).toEqual([layerless.digest]);
    expect(planRepositoryRemoval(scan, ['x/manifests-only']).bytes).toBe(layerless.size);
    expect(planRepositoryRemoval(scan, ['a/b']).digests).toEqual([ab.manifest, ab.config].sort());
    expect(scan.diskBytes).toBe(await duBytes(dir));
  });

  it('reads schema1 manifests (fsLayers) and reports manifests it cannot parse', async () => {
    const l1 = store.blob('schema1 layer one');
    const l2 = store.blob('schema1 layer two');
    const s1 = store.manifest(
      {
        schemaVersion: 1,
        name: 'old/one',
        tag: 'latest',
        fsLayers: [{ blobSum: l2 }, { blobSum: l1 }, { blobSum: l1 }],
        signatures: [],
      },
      'old/one',
    );
    store.tag('old/one', 'latest', s1.digest);
    store.layerLink('old/one', l1);
    const broken = store.blob('{"schemaVersion": 2, "mediaType": "application/x-nope"}');
    store.revision('old/one', broken);
    const scan = await scanStore(dir);
    const r = repo(scan, 'old/one');
    expect(r.blobs).toEqual([s1.digest, l1, l2, broken].sort());
    expect(r.manifestProblems).toEqual([
      { digest: broken, error: 'unrecognized manifest media type application/x-nope' },
    ]);
  });

  it('reports unreadable links and survives an empty or missing data dir', async () => {
    store.image('library/a', 'latest', ['x']);
    writeFileSync(join(store.repoDir('library/a'), '_manifests/tags/latest/current/link'), 'garbage');
    const scan = await scanStore(dir);
    expect(scan.unreadableLinks).toEqual([
      'docker/registry/v2/repositories/library/a/_manifests/tags/latest/current/link',
    ]);
    expect(repo(scan, 'library/a').tags[0]?.currentDigest).toBeNull();

    const empty = await scanStore(join(dir, 'does-not-exist'));
    expect(empty).toMatchObject({
      repositories: [],
      blobCount: 0,
      diskBytes: 0,
      orphans: { digests: [], bytes: 0 },
    });
  });
});
