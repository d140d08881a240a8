// Test helper: the small synthetic store the scanner tests share, and a counting scanner over it.
// (Used by *.test.ts files; not part of the scanner.)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateStore, type SyntheticOptions, type SyntheticStore } from '../../../bench/synthetic-store.js';
import { countingFs, type CountingFs } from './fs-port.js';
import { createScanner, type Scanner } from './scanner.js';
import { StoreBuilder } from './test-store.js';

/** 40 repositories, 3 tags each, 4 shared base layers, every fifth image multi-platform. */
export function smallStore(seed: number): SyntheticOptions {
  return {
    repositories: 40,
    tagsPerRepo: 3,
    blobsPerImage: 5,
    sharedBasePool: 4,
    seed,
    multiPlatformEvery: 5,
  };
}

/** A result without its timing and work report: what a fresh full scan must reproduce. */
export function withoutTiming<T extends { scannedAt: unknown; durationMs: unknown; work: unknown }>(
  r: T,
): Omit<T, 'scannedAt' | 'durationMs' | 'work'> {
  const { scannedAt: _s, durationMs: _d, work: _w, ...rest } = r;
  return rest;
}

export interface ScanFixture {
  dir: string;
  synthetic: SyntheticStore;
  fs: CountingFs;
  scanner: Scanner;
  store: StoreBuilder;
}

/** smallStore(seed) in a new temp dir, with a counting scanner over it. */
export async function scanFixture(prefix: string, seed: number): Promise<ScanFixture> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const synthetic = generateStore(dir, smallStore(seed));
  const store = new StoreBuilder(dir);
  const fs = countingFs();
  const scanner = createScanner(dir, { fs });
  // Let the generator's mtimes age past the racy window, so the first scan's fingerprints are trusted.
  await new Promise((r) => setTimeout(r, 120));
  return { dir, synthetic, fs, scanner, store };
}
