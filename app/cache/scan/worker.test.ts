import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStore } from '../../../bench/synthetic-store.js';
import { scanStore } from './scanner.js';
import { StoreBuilder } from './test-store.js';
import type { ScanResult } from './types.js';
import { createWorkerScanner, scanStoreInWorker } from './worker-scanner.js';

const content = ({ scannedAt: _s, durationMs: _d, ...rest }: ScanResult) => rest;

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'scan-worker-'));
  generateStore(dir, {
    repositories: 30,
    tagsPerRepo: 2,
    blobsPerImage: 4,
    sharedBasePool: 3,
    seed: 3,
    multiPlatformEvery: 4,
  });
  new StoreBuilder(dir).upload('library/app-2', 'u-1', 100);
  await new Promise((r) => setTimeout(r, 120));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scanning on a worker thread', () => {
  it('returns the same result as scanning in-process', async () => {
    const [inWorker, inProcess] = await Promise.all([scanStoreInWorker(dir), scanStore(dir)]);
    expect(inWorker.repositories).toHaveLength(30);
    expect(content(inWorker)).toEqual(content(inProcess));
  });

  it('keeps an incremental scanner on the worker until closed', async () => {
    const scanner = createWorkerScanner(dir);
    try {
      const first = await scanner.refresh();
      const second = await scanner.refresh();
      expect(first.work.repositoriesRead).toHaveLength(30);
      expect(second.work.repositoriesRead).toEqual([]);
      expect(second.blobBytes).toBe(first.blobBytes);
    } finally {
      await scanner.close();
    }
    await expect(scanner.refresh()).rejects.toThrow(/closed/);
  });

  it('rejects with the worker-side error, and the worker stays usable', async () => {
    const scanner = createWorkerScanner(join(dir, 'bad\0name'));
    try {
      const err = await scanner.refresh().then(
        () => undefined,
        (e: unknown) => e as NodeJS.ErrnoException,
      );
      expect(err?.message).toMatch(/null bytes/);
      expect(err?.code).toBe('ERR_INVALID_ARG_VALUE');
      await expect(scanner.refresh()).rejects.toThrow(/null bytes/);
    } finally {
      await scanner.close();
    }
  });
});
