import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { Operation, Progress } from '../app/contract/values.js';
import {
  defaultMirrorSettings,
  type MirrorSettings,
  type UpstreamCredentials,
} from '../app/mirror/settings.js';
import type { MirrorStatus } from '../app/mirror/status.js';
import { silentLogger } from './log.js';
import { MirrorService, realEngine, type EngineHandle, type MonitorPort } from './mirror-service.js';
import { statusIn } from './testing/status.js';

class FakeMonitor extends EventEmitter<{ status: [MirrorStatus] }> implements MonitorPort {
  started = false;
  stopped = false;
  next: MirrorStatus = statusIn('stopped');
  start() {
    this.started = true;
  }
  stop() {
    this.stopped = true;
  }
  async refresh() {
    return this.next;
  }
}

function fakeHandle() {
  const monitor = new FakeMonitor();
  let release: () => void = () => {};
  const mirror = {
    up: vi.fn(async (onProgress?: (p: { status: string }) => void) => {
      onProgress?.({ status: 'Pulling fs layer' });
      await new Promise<void>((r) => (release = r));
      return { action: 'created' as const, status: statusIn('running') };
    }),
    down: vi.fn(async () => true),
    restart: vi.fn(async () => statusIn('running')),
    logs: vi.fn(async () => 'log line\n'),
  };
  const verify = vi.fn(
    async (opts: {
      onStep: (s: { id: 'mirror'; title: string; ok: boolean; detail: string; ms: number }) => void;
    }) => {
      opts.onStep({ id: 'mirror', title: 'the mirror answers', ok: true, detail: 'ok', ms: 1 });
      return {
        ok: true,
        image: 'busybox:latest',
        pulledAs: 'busybox:latest',
        engineUsesMirror: true,
        steps: [],
      };
    },
  );
  const handle: EngineHandle = { mirror, monitor, verify };
  return { handle, monitor, mirror, verify, release: () => release() };
}

function setup(opts: { now?: () => number; creds?: UpstreamCredentials | null } = {}) {
  const handles: ReturnType<typeof fakeHandle>[] = [];
  const build = vi.fn(async (_s: MirrorSettings, _c: UpstreamCredentials | null) => {
    const h = fakeHandle();
    handles.push(h);
    return h.handle;
  });
  const service = new MirrorService({
    build,
    credentials: async () => opts.creds ?? null,
    log: silentLogger,
    ...(opts.now ? { now: opts.now } : {}),
  });
  const statuses: string[] = [];
  const operations: Operation[] = [];
  const progress: Progress[] = [];
  service.on('status', (s) => statuses.push(s.state));
  service.on('operation', (o) => operations.push(o));
  service.on('progress', (p) => progress.push(p));
  return { service, build, handles, statuses, operations, progress };
}

const settings = defaultMirrorSettings({ DRPC_HOME: '/tmp/drpc-ms' });

describe('MirrorService', () => {
  it('builds the engine with the credentials and passes on the monitor status events', async () => {
    const creds = { username: 'alice', password: 'pw-123456' };
    const { service, build, handles, statuses } = setup({ creds });
    await service.configure(settings);
    expect(build).toHaveBeenCalledWith(settings, creds);
    expect(handles[0]?.monitor.started).toBe(true);
    handles[0]?.monitor.emit('status', statusIn('running'));
    expect(statuses).toEqual(['running']);
    expect(service.current?.state).toBe('running');
  });

  it('rebuilds on new settings and ignores the old monitor afterwards', async () => {
    const { service, handles, statuses } = setup();
    await service.configure(settings);
    await service.configure({ ...settings, port: 5001 });
    expect(handles[0]?.monitor.stopped).toBe(true);
    handles[0]?.monitor.emit('status', statusIn('crash-looping'));
    handles[1]?.monitor.emit('status', statusIn('running'));
    expect(statuses).toEqual(['running']);
  });

  it('reports Docker unreachable when no engine can be built, and retries on refresh', async () => {
    const { service, build, statuses } = setup();
    build.mockRejectedValueOnce(new Error('Docker host ssh://x uses ssh://, which is not supported'));
    await service.configure(settings);
    expect(statuses).toEqual(['engine-unreachable']);
    expect(service.current?.message).toMatch(/ssh/);
    expect((await service.refresh()).state).toBe('stopped');
    expect(build).toHaveBeenCalledTimes(2);
  });

  it('runs one operation at a time, with operation and progress events', async () => {
    const { service, handles, operations, progress } = setup();
    await service.configure(settings);
    const up = service.up();
    await vi.waitFor(() => expect(handles[0]?.mirror.up).toHaveBeenCalled());
    await expect(service.down()).rejects.toMatchObject({ code: 'BUSY' });
    handles[0]?.release();
    expect(await up).toMatchObject({ action: 'created' });
    expect(operations).toEqual(['up', null]);
    expect(progress).toEqual([{ operation: 'up', pull: { status: 'Pulling fs layer' } }]);
    expect(await service.down()).toEqual({ stopped: true });
  });

  it('counts state changes during and shortly after a user operation as the user’s', async () => {
    let now = 0;
    const { service } = setup({ now: () => now });
    await service.configure(settings);
    expect(service.userInitiated).toBe(false);
    await service.down();
    now += 5_000;
    expect(service.userInitiated).toBe(true);
    now += 60_000;
    expect(service.userInitiated).toBe(false);
  });

  it('verifies with progress per step, and reads logs', async () => {
    const { service, progress } = setup();
    await service.configure(settings);
    expect((await service.verify('alpine:3')).ok).toBe(true);
    expect(progress[0]).toMatchObject({ operation: 'verify', step: { id: 'mirror', ok: true } });
    expect(await service.logs(10)).toBe('log line\n');
  });

  it('stops watching on dispose without touching the container', async () => {
    const { service, handles } = setup();
    await service.configure(settings);
    service.dispose();
    expect(handles[0]?.monitor.stopped).toBe(true);
    expect(handles[0]?.mirror.down).not.toHaveBeenCalled();
  });
});

describe('realEngine', () => {
  it('reports an engine that is not there as unreachable', async () => {
    const handle = await realEngine({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' })(settings, null);
    const status = await handle.monitor.refresh();
    expect(status.state).toBe('engine-unreachable');
    expect(status.engine).toMatchObject({ reachable: false });
    handle.monitor.stop();
  });
});
