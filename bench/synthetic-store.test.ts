// The benchmarks' store options: --repos N and friends, parsed strictly (a typo must not quietly run the
// default size), and the blob count a generated store holds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STORE, expectedBlobs, generateStore, parseBenchArgs } from './synthetic-store.js';

describe('parseBenchArgs', () => {
  it('gives the defaults without options', () => {
    expect(parseBenchArgs([])).toEqual({ store: DEFAULT_STORE, values: {} });
    expect(DEFAULT_STORE).toEqual({
      repositories: 2000,
      tagsPerRepo: 5,
      blobsPerImage: 7,
      sharedBasePool: 50,
      seed: 1,
    });
  });

  it('reads the store size over the given defaults, and the benchmark own options beside', () => {
    const { store, values } = parseBenchArgs(
      ['--repos', '10000', '--runs', '3', '--blobs-per-image=4', '--seed', '0', '--serve'],
      { ...DEFAULT_STORE, seed: 7 },
      { runs: { type: 'string' }, serve: { type: 'boolean' } },
    );
    expect(store).toEqual({ ...DEFAULT_STORE, repositories: 10_000, blobsPerImage: 4, seed: 0 });
    expect(values).toEqual({ runs: '3', serve: true });
    expect(parseBenchArgs(['--tags', '2', '--base-pool', '9', '--multi-platform-every', '4']).store).toEqual({
      ...DEFAULT_STORE,
      tagsPerRepo: 2,
      sharedBasePool: 9,
      multiPlatformEvery: 4,
    });
  });

  it('refuses what is not a whole number within bounds, naming the option', () => {
    for (const [args, message] of [
      [['--repos', '0'], /--repos must be a whole number of at least 1, not "0"/],
      [['--repos', '2k'], /--repos .* not "2k"/],
      [['--repos', '1e4'], /--repos/],
      [['--tags', '-1'], /--tags/],
      [['--tags', '1.5'], /--tags/],
      [['--blobs-per-image', '2'], /--blobs-per-image must be a whole number of at least 3/],
      [['--repos', ''], /--repos/],
    ] as const) {
      expect(() => parseBenchArgs([...args]), args.join(' ')).toThrow(message);
    }
  });

  it('refuses an unknown option and a stray argument', () => {
    expect(() => parseBenchArgs(['--repo', '10'])).toThrow(/--repo/);
    expect(() => parseBenchArgs(['10000'])).toThrow();
  });
});

describe('expectedBlobs', () => {
  it('is the issue scale: 300,050 blobs at 10,000 repositories, 60,050 at 2,000', () => {
    expect(expectedBlobs({ ...DEFAULT_STORE, repositories: 10_000 })).toBe(300_050);
    expect(expectedBlobs(DEFAULT_STORE)).toBe(60_050);
    expect(expectedBlobs({ ...DEFAULT_STORE, repositories: 500 })).toBe(15_050);
  });

  it('counts what generateStore writes, multi-platform indexes included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drpc-synthetic-count-'));
    try {
      for (const [i, o] of [
        { repositories: 23, tagsPerRepo: 3, blobsPerImage: 5, sharedBasePool: 4, seed: 3 },
        {
          repositories: 12,
          tagsPerRepo: 2,
          blobsPerImage: 3,
          sharedBasePool: 2,
          seed: 5,
          multiPlatformEvery: 4,
        },
      ].entries()) {
        const store = generateStore(join(dir, String(i)), o);
        expect(store.blobSizes.size).toBe(expectedBlobs(o));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
