import { describe, expect, it, vi } from 'vitest';
import { defaultAppSettings } from '../app/settings/app-settings.js';
import { AppError } from '../app/util/errors.js';
import { createHandlers, type HandlerDeps } from './handlers.js';
import { dispatch } from './ipc.js';
import { silentLogger } from './log.js';
import { statusIn } from './testing/status.js';

const PLAN_ID = '7f9c1e2a-3b4d-4c5e-8f60-718293a4b5c6';

function deps() {
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
      plan: vi.fn(),
      prune: vi.fn(async (planId: string) => {
        if (planId !== PLAN_ID) throw new AppError('INVALID_INPUT', 'this preview is no longer current');
        return {
          planId,
          previewBytes: 10,
          freedBytes: 10,
          orphanBytes: 0,
          gc: { marked: 1, eligibleBlobs: 1, eligibleManifests: 0, ms: 1 },
          downtimeMs: 5,
        };
      }),
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
  return { d, order, h: createHandlers(d) };
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

  it('prunes only by the id of a plan main made: anything else is refused before or by the runtime', async () => {
    const { h, d } = deps();
    expect(await run(h, 'cache.prune', { planId: PLAN_ID })).toMatchObject({
      ok: true,
      value: { freedBytes: 10 },
    });
    // A plan object instead of an id never reaches the runtime.
    const forged = await run(h, 'cache.prune', { planId: PLAN_ID, removals: ['../../etc'] });
    expect(forged).toMatchObject({ ok: true });
    expect(d.cache.prune).toHaveBeenLastCalledWith(PLAN_ID);
    expect(await run(h, 'cache.prune', { plan: { removals: ['/'] } })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await run(h, 'cache.prune', { planId: 'not-a-uuid' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await run(h, 'cache.prune', { planId: '00000000-0000-4000-8000-000000000000' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: 'this preview is no longer current' },
    });
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
