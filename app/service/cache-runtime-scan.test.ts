// The cache runtime over a real CacheService and its scan worker, on a synthetic store: the app's report
// path after a pull. The pull is written into the store as the registry writes it, and its lines go
// through the access tracker as the follower hands them over; the worker is wrapped to see what each
// refresh was told and what it read. Nothing reads the store on this (the main) thread.
import type Docker from 'dockerode';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pullLogLines } from '../../bench/pull-log.js';
import { generateStore, simulatePull } from '../../bench/synthetic-store.js';
import { smallStore } from '../cache/scan/test-fixture.js';
import type { RefreshHint } from '../cache/scan/store-model.js';
import { StoreModel } from '../cache/scan/store-model.js';
import type { ScanSummary } from '../cache/scan/summary.js';
import { createWorkerScanner, type WorkerScanner } from '../cache/scan/worker-scanner.js';
import { CacheService } from '../cache/service.js';
import type { KeeperEvent } from '../contract/values.js';
import type { Mirror } from '../mirror/mirror.js';
import { defaultMirrorSettings, mirrorDirs, type MirrorSettings } from '../mirror/settings.js';
import { memoryStore } from '../settings/json-file.js';
import { CacheRuntime } from './cache-runtime.js';
import { CacheHistory } from './history.js';
import type { EngineHandle } from './mirror-service.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An engine whose container has no log yet (the follower and catch-up find nothing). */
const docker = {
  getContainer: () => ({
    logs: async () => {
      throw Object.assign(new Error('no such container'), { statusCode: 404 });
    },
  }),
  modem: { demuxStream() {} },
} as unknown as Docker;

interface Refresh {
  hint: RefreshHint | undefined;
  summary: ScanSummary;
}

/** The real worker scanner, recording each summary refresh: what it was told, what it read. */
function watchedWorker(root: string) {
  const worker = createWorkerScanner(root);
  const refreshes: Refresh[] = [];
  const watched: WorkerScanner = {
    ...worker,
    async refreshSummary(hint) {
      const summary = await worker.refreshSummary(hint);
      refreshes.push({ hint, summary });
      return summary;
    },
    tagSizes: vi.fn(worker.tagSizes),
    close: vi.fn(worker.close),
  };
  return { watched, refreshes };
}

let home: string;
let settings: MirrorSettings;
let runtime: CacheRuntime;
let cache: CacheService;
/** The workers the cache started (one expected). */
let workers: Array<ReturnType<typeof watchedWorker>>;
const mirror = () => {
  const emitter = new EventEmitter<{ engine: [EngineHandle | undefined]; keeper: [KeeperEvent] }>();
  return Object.assign(emitter, {
    mirrorSettings: settings,
    cache: async () => cache,
    exclusive: async () => {
      throw new Error('not in this test');
    },
  });
};
let engine: ReturnType<typeof mirror>;

beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'drpc-runtime-scan-'));
  workers = [];
  settings = { ...defaultMirrorSettings({ DRPC_HOME: home }), dataDir: join(home, 'mirror') };
  generateStore(mirrorDirs(settings).data, smallStore(7));
  cache = new CacheService({
    docker,
    mirror: {
      settings,
      inspect: async () => undefined,
      debugUrl: async () => undefined,
    } as unknown as Mirror,
    stateDir: join(home, 'state'),
    scanner: (root) => {
      const w = watchedWorker(root);
      workers.push(w);
      return w.watched;
    },
  });
  engine = mirror();
  runtime = new CacheRuntime({
    mirror: engine,
    history: new CacheHistory(memoryStore(), { minGapMs: 0 }),
    log: { info() {}, warn() {}, error() {} },
  });
  engine.emit('engine', { cache } as unknown as EngineHandle);
  await sleep(120); // past the scanner's racy window: the first look can trust what it reads
});

afterEach(async () => {
  runtime.stop();
  await cache.tracker.stop(); // its last save done (stop() above saves without waiting)
  await cache.close();
  vi.restoreAllMocks();
  rmSync(home, { recursive: true, force: true });
});

describe('CacheRuntime on the scan worker', () => {
  it('after a pull of R, reports from a refresh told [R] that re-read R alone, and shows the new tag', async () => {
    const onMain = vi.spyOn(StoreModel.prototype, 'refresh');
    const first = await runtime.report();
    expect(first.repositories).toHaveLength(40);
    expect(workers).toHaveLength(1);
    const [worker] = workers as [ReturnType<typeof watchedWorker>];
    expect(worker.refreshes.map((r) => r.hint)).toEqual([undefined]); // the first look: everywhere
    await sleep(60);

    const pulled = 'library/app-3';
    const image = simulatePull(mirrorDirs(settings).data, pulled, 'just-pulled');
    cache.tracker.ingest(pullLogLines(pulled, 'just-pulled', image));
    const report = await runtime.report();

    const { hint, summary } = worker.refreshes.at(-1)!;
    expect(hint).toEqual({ repositories: [pulled] });
    expect(summary.work).toEqual({
      repositoriesRead: [pulled],
      blobPrefixesListed: 0, // the blob store is not listed: the 7 new blobs are looked up
      blobsStatted: 7,
      manifestsRead: 1,
    });
    const repo = report.repositories.find((r) => r.name === pulled)!;
    expect(repo.tags.map((t) => [t.name, t.digest])).toContainEqual(['just-pulled', image.manifest]);
    expect(report.totals.blobBytes).toBeGreaterThan(first.totals.blobBytes);

    // A repository's tag sizes come from the worker too.
    const tags = await runtime.tags(pulled);
    expect(worker.watched.tagSizes).toHaveBeenCalledWith(pulled);
    expect(tags.tags.find((t) => t.name === 'just-pulled')?.bytes).toBeGreaterThan(5 * 10_000_000);

    // The look once the pull has settled is told [R] again; a plan looks everywhere.
    await runtime.report();
    expect(worker.refreshes.at(-1)!.hint).toEqual({ repositories: [pulled] });
    await runtime.plan({ kind: 'items', items: [{ repo: pulled }] });

    // The store was never scanned on this thread.
    expect(onMain).not.toHaveBeenCalled();
  });

  it('stops the scan worker when the engine handle goes; that cache scans no more', async () => {
    await runtime.report();
    expect(workers).toHaveLength(1);
    engine.emit('engine', undefined);
    expect(workers[0]!.watched.close).toHaveBeenCalledTimes(1);
    await expect(runtime.report()).rejects.toMatchObject({ code: 'ENGINE_UNREACHABLE' });
  });
});
