// The synthetic store generator (bench/) against the scanner: the generator knows what it wrote.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStore, type SyntheticStore } from '../../../bench/synthetic-store.js';
import { parseManifest } from './manifest.js';
import { scanStore } from './scanner.js';
import { blobFiles, duBytes, sha256, StoreBuilder } from './test-store.js';
import type { ScanResult } from './types.js';

let dir: string;
let gen: SyntheticStore;
let scan: ScanResult;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'scan-synth-'));
  gen = generateStore(dir, {
    repositories: 60,
    tagsPerRepo: 3,
    blobsPerImage: 6,
    sharedBasePool: 5,
    seed: 42,
    multiPlatformEvery: 7,
  });
  scan = await scanStore(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('generateStore', () => {
  it('writes the registry layout with sparse layers and real manifests', () => {
    expect(gen.repositories).toHaveLength(60);
    expect(gen.repositories.filter((r) => r.name.split('/').length === 3)).toHaveLength(6); // nested names
    expect(blobFiles(dir)).toEqual(gen.blobSizes);
    const builder = new StoreBuilder(dir);
    const biggest = [...gen.blobSizes].sort((a, b) => b[1] - a[1])[0] as [string, number];
    const st = statSync(builder.blobPath(biggest[0]));
    expect(st.size).toBeGreaterThan(20 * 1024 * 1024);
    expect(st.blocks * 512).toBeLessThan(64 * 1024); // sparse: no data blocks
    for (const r of scan.repositories) {
      for (const digest of r.revisions) {
        const body = readFileSync(builder.blobPath(digest));
        expect(sha256(body)).toBe(digest); // manifests are stored under their real digest
        expect(parseManifest(body).ok).toBe(true);
      }
    }
  });

  it('is reproducible from its seed', () => {
    const again = mkdtempSync(join(tmpdir(), 'scan-synth-'));
    try {
      const second = generateStore(again, {
        repositories: 60,
        tagsPerRepo: 3,
        blobsPerImage: 6,
        sharedBasePool: 5,
        seed: 42,
        multiPlatformEvery: 7,
      });
      expect(second.blobSizes).toEqual(gen.blobSizes);
      expect(() =>
        generateStore(again, {
          repositories: 1,
          tagsPerRepo: 1,
          blobsPerImage: 3,
          sharedBasePool: 1,
          seed: 1,
        }),
      ).toThrow(/non-empty/);
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });
});

describe('scanStore on a synthetic store', () => {
  it('reaches exactly what the generator wrote, with the same sizes and sharing', () => {
    const count = new Map<string, number>();
    for (const r of gen.repositories) for (const d of r.blobs) count.set(d, (count.get(d) ?? 0) + 1);
    const byName = new Map(scan.repositories.map((r) => [r.name, r]));
    for (const expected of gen.repositories) {
      const r = byName.get(expected.name);
      expect(r?.blobs).toEqual(expected.blobs);
      expect(r?.tags.map((t) => t.name)).toEqual([...expected.tags].sort());
      const bytes = (pred: (d: string) => boolean) =>
        expected.blobs.filter(pred).reduce((n, d) => n + (gen.blobSizes.get(d) ?? 0), 0);
      expect(r?.totalBytes).toBe(bytes(() => true));
      expect(r?.exclusiveBytes).toBe(bytes((d) => count.get(d) === 1));
    }
    expect(scan.blobBytes).toBe(gen.blobBytes);
    expect(scan.orphans.digests).toEqual([]);
    expect(scan.missingLinks).toEqual([]);
  });

  it('counts disk usage as du -sb does, sparse files at their apparent size', async () => {
    expect(scan.diskBytes).toBe(await duBytes(dir));
    expect(scan.diskBytes).toBeGreaterThan(gen.blobBytes);
  });
});
