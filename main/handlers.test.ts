import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { PrunePlan } from '../app/cache/prune/plan.js';
import type { CacheService } from '../app/cache/service.js';
import type { KeeperEvent } from '../app/contract/values.js';
import { defaultMirrorSettings } from '../app/mirror/settings.js';
import { CacheRuntime } from '../app/service/cache-runtime.js';
import { CacheHistory } from '../app/service/history.js';
import type { EngineHandle } from '../app/service/mirror-service.js';
import { defaultAppSettings } from '../app/settings/app-settings.js';
import { memoryStore } from '../app/settings/json-file.js';
import { createHandlers, type HandlerDeps } from './handlers.js';
import { dispatch } from './ipc.js';
import { silentLogger } from './log.js';
import { statusIn } from './testing/status.js';

/**
 * The app's real CacheRuntime (it keeps the plans by id and refuses any other) over a stand-in for the
 * mirror's cache: the planning and the prune itself are the core's, tested in app/cache.
 */
function cacheRuntime() {
  let n = 0;
  const pruned: PrunePlan[] = [];
  const cache = {
    plan: vi.fn(async (): Promise<PrunePlan> => ({
      id: `7f9c1e2a-3b4d-4c5e-8f60-71829300000${++n}`,
      createdAt: 1,
      reason: 'chosen',
      repositories: ['library/busybox'],
      tags: [],
      removals: ['docker/registry/v2/repositories/library/busybox'],
      digests: ['sha256:' + 'a'.repeat(64)],
      bytes: 10,
      orphanBytes: 0,
      totalBefore: 100,
    })),
    prune: vi.fn(async (plan: PrunePlan) => {
      pruned.push(plan);
      return {
        planId: plan.id,
        previewBytes: plan.bytes,
        freedBytes: plan.bytes,
        orphanBytes: 0,
        gc: { marked: 1, eligibleBlobs: 1, eligibleManifests: 0, ms: 1 },
        downtimeMs: 5,
        collector: { kind: 'sweep' as const },
      };
    }),
    summary: vi.fn(async () => ({ blobBytes: 90, repositories: [] })),
    lookEverywhere: vi.fn(),
  } as unknown as CacheService;
  const settings = defaultMirrorSettings({ DRPC_HOME: '/tmp/h' });
  const mirror = Object.assign(
    new EventEmitter<{ engine: [EngineHandle | undefined]; keeper: [KeeperEvent] }>(),
    {
      mirrorSettings: settings,
      cache: async () => cache,
      exclusive: <T>(_op: 'prune' | 'reset', fn: (h: EngineHandle) => Promise<T>) =>
        fn({ cache } as unknown as EngineHandle),
    },
  );
  const runtime = new CacheRuntime({
    mirror,
    history: new CacheHistory(memoryStore(), { minGapMs: 0 }),
    log: { info() {}, warn() {}, error() {} },
  });
  return { runtime, pruned };
}

function deps() {
  const { runtime, pruned } = cacheRuntime();
  const order: string[] = [];
  const d = {
    mirror: {
      refresh: vi.fn(async () => statusIn('running')),
      up: vi.fn(async () => ({ action: 'unchanged' as const, status: statusIn('running') })),
      down: vi.fn(async () => ({ stopped: true })),
      restart: vi.fn(async () => statusIn('running')),
      verify: vi.fn(async (image?: string) => ({
        ok: true,
        image: image ?? 'busybox:latest',
        pulledAs: image ?? 'busybox:latest',
        engineUsesMirror: false,
        steps: [],
      })),
      logs: vi.fn(async (tail?: number) => `last ${tail ?? 'default'} lines`),
    },
    settings: { current: defaultAppSettings({ DRPC_HOME: '/tmp/h' }), update: vi.fn() },
    credentials: {
      describe: vi.fn(async () => ({ configured: false, username: null })),
      set: vi.fn(async (c: { username: string }) => {
        order.push('set');
        return { configured: true, username: c.username };
      }),
      clear: vi.fn(async () => {
        order.push('clear');
        return { configured: false, username: null };
      }),
    },
    credentialsChanged: vi.fn(async () => void order.push('rebuilt')),
    loginItem: {
      get: () => ({ openAtLogin: false, status: 'not-registered' as const, message: 'm' }),
      set: vi.fn(async (open: boolean) => ({ openAtLogin: open, status: 'enabled' as const, message: 'm' })),
    },
    openDashboard: vi.fn(),
    quit: vi.fn(),
    notices: { all: vi.fn(() => []), dismiss: vi.fn(() => []) },
    cache: {
      report: vi.fn(),
      tags: vi.fn(async (repository: string) => ({ repository, tags: [] })),
      plan: vi.fn((selection: Parameters<CacheRuntime['plan']>[0]) => runtime.plan(selection)),
      prune: vi.fn((planId: string) => runtime.prune(planId)),
      reset: vi.fn(),
      history: vi.fn(async () => []),
    },
    upstream: {
      get: vi.fn(async (refresh?: boolean) => ({ url: 'u', reachable: !refresh, ms: 1, checkedAt: 'now' })),
    },
    engines: {
      list: vi.fn(),
      configure: vi.fn(async (engine: string) => ({
        engine,
        mirrorUrl: 'http://localhost:5000',
        changed: true,
        applied: 'kill -HUP 1',
        verified: true,
        state: 'using-mirror' as const,
        engineMirrors: ['http://localhost:5000/'],
        steps: [],
      })),
      undo: vi.fn(),
      createRegistryMachine: vi.fn(),
    },
  } satisfies HandlerDeps;
  return { d, order, pruned, h: createHandlers(d) };
}

describe('createHandlers', () => {
  it('passes the optional verify image and log length through', async () => {
    const { h, d } = deps();
    expect((await h['mirror.verify']({ image: 'alpine:3' })).image).toBe('alpine:3');
    await h['mirror.verify'](undefined);
    expect(d.mirror.verify.mock.calls).toEqual([['alpine:3'], [undefined]]);
    expect(await h['mirror.logs']({ tail: 5 })).toEqual({ text: 'last 5 lines' });
  });

  it('rebuilds the mirror with new credentials after storing or clearing them', async () => {
    const { h, order } = deps();
    expect(await h['credentials.set']({ username: 'alice', password: 'pw-12345' })).toEqual({
      configured: true,
      username: 'alice',
    });
    await h['credentials.clear'](undefined);
    expect(order).toEqual(['set', 'rebuilt', 'clear', 'rebuilt']);
  });

  it('quits after replying, with the caller’s choice about the mirror', async () => {
    const { h, d } = deps();
    expect(await h['app.quit']({ stopMirror: true })).toBeNull();
    expect(d.quit).not.toHaveBeenCalled();
    await new Promise((r) => setImmediate(r));
    expect(d.quit).toHaveBeenCalledWith(true);
  });

  it('opens the dashboard, sets the login item and dismisses notices', async () => {
    const { h, d } = deps();
    expect(await h['app.openDashboard'](undefined)).toBeNull();
    expect(d.openDashboard).toHaveBeenCalledOnce();
    expect((await h['app.loginItem.set']({ openAtLogin: true })).openAtLogin).toBe(true);
    await h['notices.dismiss']({ id: 'settings-reset-1' });
    expect(d.notices.dismiss).toHaveBeenCalledWith('settings-reset-1');
  });
});

describe('cache, upstream and engine calls', () => {
  const caller = {
    sender: { id: 1, mainFrame: { frameToken: 't' } },
    senderFrame: { url: 'file:///app/out/renderer/index.html', frameToken: 't', parent: null },
  };
  const policy = { isOurWebContents: () => true, isTrustedUrl: () => true };
  const run = (
    h: ReturnType<typeof deps>['h'],
    name: 'cache.prune' | 'cache.plan' | 'engines.configure',
    input: unknown,
  ) => dispatch(name, h[name] as never, caller, input, policy, silentLogger);

  it('prunes only by the id of a plan main made, once: anything else is refused before or by the runtime', async () => {
    const { h, d, pruned } = deps();
    const planned = await run(h, 'cache.plan', {
      selection: { kind: 'items', items: [{ repo: 'library/busybox' }] },
    });
    expect(planned).toMatchObject({ ok: true, value: { bytes: 10, blobs: 1 } });
    const planId = planned.ok ? (planned.value as { id: string }).id : '';
    // A plan object beside the id is stripped: what runs is the plan main kept, not the caller's removals.
    expect(await run(h, 'cache.prune', { planId, removals: ['../../etc'] })).toMatchObject({
      ok: true,
      value: { planId, freedBytes: 10 },
    });
    expect(d.cache.prune).toHaveBeenLastCalledWith(planId);
    expect(pruned.map((p) => p.removals)).toEqual([['docker/registry/v2/repositories/library/busybox']]);
    expect(await run(h, 'cache.prune', { plan: { removals: ['/'] } })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await run(h, 'cache.prune', { planId: 'not-a-uuid' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    // The same plan twice, and an id main never gave out: the runtime refuses both, and nothing runs.
    for (const id of [planId, '00000000-0000-4000-8000-000000000000']) {
      expect(await run(h, 'cache.prune', { planId: id })).toMatchObject({
        ok: false,
        error: {
          code: 'INVALID_INPUT',
          message: 'this preview is no longer current: preview the prune again',
        },
      });
    }
    expect(pruned).toHaveLength(1);
    expect(d.cache.prune).toHaveBeenCalledTimes(3);
  });

  it('checks a prune selection against the registry grammar before planning', async () => {
    const { h, d } = deps();
    expect(
      await run(h, 'cache.plan', { selection: { kind: 'items', items: [{ repo: '../etc' }] } }),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', issues: [{ path: 'selection.items.0.repo' }] },
    });
    expect(await run(h, 'cache.plan', { selection: { kind: 'unused', days: -1 } })).toMatchObject({
      ok: false,
    });
    expect(d.cache.plan).not.toHaveBeenCalled();
  });

  it('passes the engine, the repository and the refresh flag through', async () => {
    const { h, d } = deps();
    expect((await h['engines.configure']({ engine: 'linux-dockerd' })).state).toBe('using-mirror');
    expect(d.engines.configure).toHaveBeenCalledWith('linux-dockerd');
    expect(await run(h, 'engines.configure', { engine: 'rm -rf /' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    await h['cache.tags']({ repository: 'library/busybox' });
    expect(d.cache.tags).toHaveBeenCalledWith('library/busybox');
    expect((await h['upstream.status']({ refresh: true })).reachable).toBe(false);
    expect((await h['upstream.status'](undefined)).reachable).toBe(true);
  });
});
