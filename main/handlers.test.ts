import { describe, expect, it, vi } from 'vitest';
import { defaultAppSettings } from '../app/settings/app-settings.js';
import { createHandlers, type HandlerDeps } from './handlers.js';
import { statusIn } from './testing/status.js';

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
