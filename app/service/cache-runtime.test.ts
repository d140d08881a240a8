// The cache runtime over a stand-in mirror service and cache: plans are kept by id and run once,
// prunes and resets run as exclusive mirror operations, progress and changes are announced.
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { PruneOptions } from '../cache/prune/execute.js';
import type { PrunePlan } from '../cache/prune/plan.js';
import type { ScanSummary } from '../cache/scan/summary.js';
import type { CacheService } from '../cache/service.js';
import type { CacheChange, CacheProgress, KeeperEvent } from '../contract/values.js';
import { defaultMirrorSettings } from '../mirror/settings.js';
import { memoryStore } from '../settings/json-file.js';
import { AppError } from '../util/errors.js';
import { CacheRuntime } from './cache-runtime.js';
import { CacheHistory } from './history.js';
import type { EngineHandle } from './mirror-service.js';
import { eventually } from '../../testbed/eventually.js';

function plan(id: string): PrunePlan {
  return {
    id,
    createdAt: 1,
    reason: 'chosen',
    repositories: ['library/busybox'],
    tags: [],
    removals: ['docker/registry/v2/repositories/library/busybox/_manifests'],
    digests: ['sha256:' + 'a'.repeat(64), 'sha256:' + 'b'.repeat(64)],
    bytes: 1000,
    orphanBytes: 0,
    totalBefore: 5000,
  };
}

function setup() {
  let n = 0;
  let blobBytes = 5000;
  const tracker = Object.assign(new EventEmitter(), {
    load: vi.fn(async () => {}),
    start: vi.fn(),
    stop: vi.fn(async () => {}),
    onChange: vi.fn((_fn: () => void) => () => {}),
  });
  const cache = {
    tracker,
    plan: vi.fn(async () => plan(`00000000-0000-4000-8000-00000000000${++n}`)),
    prune: vi.fn(async (p: PrunePlan, o: PruneOptions) => {
      o.onProgress?.({ step: 'stopped', fraction: 0.15, message: 'mirror stopped' });
      blobBytes -= p.bytes;
      return {
        planId: p.id,
        previewBytes: p.bytes,
        freedBytes: p.bytes,
        orphanBytes: 0,
        gc: { marked: 1, eligibleBlobs: 2, eligibleManifests: 1, ms: 5 },
        downtimeMs: 10,
        collector: { kind: 'gc' as const, reason: 'test' },
      };
    }),
    reset: vi.fn(async (_c: string, onStep?: (s: 'stopping' | 'deleting' | 'starting' | 'done') => void) => {
      onStep?.('stopping');
      onStep?.('done');
      return { freedBytes: 4000, repositoriesRemoved: 1, status: {} as never };
    }),
    report: vi.fn(),
    summary: vi.fn(async () => ({ blobBytes, repositories: [{}, {}] }) as unknown as ScanSummary),
    tagSizes: vi.fn(async () => []),
    lookEverywhere: vi.fn(),
    close: vi.fn(async () => {}),
  } as unknown as CacheService & {
    prune: ReturnType<typeof vi.fn>;
    plan: ReturnType<typeof vi.fn>;
    summary: ReturnType<typeof vi.fn>;
  };
  const operations: string[] = [];
  let settings = defaultMirrorSettings({ DRPC_HOME: '/tmp/drpc-rt' });
  const emitter = new EventEmitter<{ engine: [EngineHandle | undefined]; keeper: [KeeperEvent] }>();
  // A getter (Object.assign would copy its value once): the data directory can change under a plan.
  Object.defineProperty(emitter, 'mirrorSettings', { get: () => settings });
  const mirror = Object.assign(emitter as typeof emitter & { mirrorSettings: typeof settings }, {
    cache: async () => cache,
    exclusive: async <T>(op: 'prune' | 'reset', fn: (h: EngineHandle) => Promise<T>): Promise<T> => {
      operations.push(op);
      return fn({ cache } as unknown as EngineHandle);
    },
  });
  let now = 1_000_000;
  const history = new CacheHistory(memoryStore(), { minGapMs: 0 });
  const runtime = new CacheRuntime({
    mirror,
    history,
    log: { info() {}, warn() {}, error() {} },
    now: () => now,
    planTtlMs: 60_000,
  });
  const progress: CacheProgress[] = [];
  const changes: CacheChange['reason'][] = [];
  runtime.on('progress', (p) => progress.push(p));
  runtime.on('changed', (c) => changes.push(c.reason));
  return {
    runtime,
    cache,
    mirror,
    history,
    operations,
    progress,
    changes,
    advance: (ms: number) => (now += ms),
    moveDataDir: () => (settings = { ...settings, dataDir: '/tmp/elsewhere' }),
  };
}

describe('CacheRuntime', () => {
  it('previews without the directories and digests, and prunes a kept plan once, as an exclusive operation', async () => {
    const { runtime, cache, operations, progress, changes, history } = setup();
    const view = await runtime.plan({ kind: 'items', items: [{ repo: 'library/busybox' }] });
    expect(view).toEqual({
      id: expect.any(String),
      createdAt: 1,
      reason: 'chosen',
      repositories: ['library/busybox'],
      tags: [],
      bytes: 1000,
      orphanBytes: 0,
      totalBefore: 5000,
      blobs: 2,
    });
    const result = await runtime.prune(view.id);
    expect(result.freedBytes).toBe(1000);
    expect(cache.prune).toHaveBeenCalledWith(
      expect.objectContaining({ id: view.id, removals: expect.any(Array) }),
      expect.anything(),
    );
    expect(operations).toEqual(['prune']);
    expect(progress).toEqual([
      { operation: 'prune', step: 'stopped', fraction: 0.15, message: 'mirror stopped' },
    ]);
    expect(changes).toEqual(['pruned']);
    expect((await history.list()).map((s) => s.bytes)).toEqual([4000]);
    await expect(runtime.prune(view.id)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(cache.prune).toHaveBeenCalledTimes(1);
  });

  it('refuses an id it did not hand out, an expired plan, and a plan of another data directory', async () => {
    const { runtime, cache, advance, moveDataDir } = setup();
    await expect(runtime.prune('00000000-0000-4000-8000-0000000000ff')).rejects.toBeInstanceOf(AppError);
    const old = await runtime.plan({ kind: 'unused', days: 30 });
    advance(61_000);
    await expect(runtime.prune(old.id)).rejects.toThrow(/preview the prune again/);
    const moved = await runtime.plan({ kind: 'unused', days: 30 });
    moveDataDir();
    await expect(runtime.prune(moved.id)).rejects.toThrow(/data directory changed/);
    expect(cache.prune).not.toHaveBeenCalled();
  });

  it('drops every other plan after a prune: they were made against what was there before', async () => {
    const { runtime } = setup();
    const a = await runtime.plan({ kind: 'unused', days: 1 });
    const b = await runtime.plan({ kind: 'unused', days: 2 });
    await runtime.prune(a.id);
    await expect(runtime.prune(b.id)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it("plans on the cache's worker (no scan of its own handed in), and samples looking everywhere after a prune", async () => {
    const { runtime, cache } = setup();
    const p = await runtime.plan({ kind: 'unused', days: 2 });
    expect(cache.plan).toHaveBeenLastCalledWith({ kind: 'unused', days: 2 });
    expect(cache.summary).not.toHaveBeenCalled();
    await runtime.prune(p.id);
    expect(cache.summary.mock.calls).toEqual([[{ whole: true }]]);
  });

  it('stops the scan worker of an engine handle it no longer follows, and when stopped', async () => {
    const { runtime, cache, mirror } = setup();
    const other = { ...cache, close: vi.fn(async () => {}) } as unknown as CacheService;
    mirror.emit('engine', { cache } as unknown as EngineHandle);
    mirror.emit('engine', { cache: other } as unknown as EngineHandle);
    expect(cache.close).toHaveBeenCalledTimes(1);
    expect(other.close).not.toHaveBeenCalled();
    runtime.stop();
    expect(other.close).toHaveBeenCalledTimes(1);
  });

  it('has the next refresh look everywhere when the mirror changes mode (offline links layers)', () => {
    const { runtime, cache, mirror } = setup();
    mirror.emit('engine', { cache } as unknown as EngineHandle);
    const at = new Date().toISOString();
    mirror.emit('keeper', { kind: 'failed', message: 'no', at });
    expect(cache.lookEverywhere).not.toHaveBeenCalled();
    mirror.emit('keeper', { kind: 'mode', mode: 'offline', previous: 'proxy', message: 'offline', at });
    expect(cache.lookEverywhere).toHaveBeenCalledTimes(1);
    runtime.stop();
  });

  it('resets as an exclusive operation with progress, then samples the empty cache', async () => {
    const { runtime, cache, operations, progress, changes } = setup();
    await expect(runtime.reset('yes')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(operations).toEqual([]);
    await runtime.reset('delete the cache');
    expect(cache.reset).toHaveBeenCalledWith('delete the cache', expect.any(Function));
    expect(operations).toEqual(['reset']);
    expect(progress.map((p) => [p.step, p.fraction])).toEqual([
      ['stopping', 0.1],
      ['done', 1],
    ]);
    expect(changes).toEqual(['reset']);
  });

  it('announces pulls once they are quiet, and once more when the storage has settled', async () => {
    const { runtime, cache, mirror, changes } = setup();
    mirror.emit('engine', { cache } as unknown as EngineHandle);
    await eventually(() => expect(cache.tracker.onChange).toHaveBeenCalled());
    const onPull = vi.mocked(cache.tracker.onChange).mock.calls[0]![0] as () => void;
    vi.useFakeTimers();
    try {
      onPull();
      vi.advanceTimersByTime(500);
      onPull();
      vi.advanceTimersByTime(999);
      expect(changes).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(changes).toEqual(['pulled']);
      vi.advanceTimersByTime(3000);
      expect(changes).toEqual(['pulled', 'pulled']);
      vi.advanceTimersByTime(60_000);
      expect(changes).toEqual(['pulled', 'pulled']);
    } finally {
      vi.useRealTimers();
      runtime.stop();
    }
  });

  it('follows the pull log of each new engine handle, loading the saved records first', async () => {
    const { runtime, cache, mirror } = setup();
    mirror.emit('engine', { cache } as unknown as EngineHandle);
    await eventually(() => expect(cache.tracker.start).toHaveBeenCalled());
    expect(vi.mocked(cache.tracker.load).mock.invocationCallOrder[0]).toBeLessThan(
      vi.mocked(cache.tracker.start).mock.invocationCallOrder[0]!,
    );
    mirror.emit('engine', undefined);
    expect(cache.tracker.stop).toHaveBeenCalled();
    runtime.stop();
  });
});
