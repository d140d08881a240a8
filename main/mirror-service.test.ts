import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { events } from '../app/contract/events.js';
import type { Operation, Progress } from '../app/contract/values.js';
import {
  defaultMirrorSettings,
  type MirrorSettings,
  type UpstreamCredentials,
} from '../app/mirror/settings.js';
import type { MirrorStatus } from '../app/mirror/status.js';
import type { KeeperEvents, Wanted } from '../app/mirror/keeper.js';
import { silentLogger } from './log.js';
import {
  MirrorService,
  realEngine,
  type EngineHandle,
  type KeeperPort,
  type MonitorPort,
} from './mirror-service.js';
import { statusIn } from './testing/status.js';
import { eventually } from '../testbed/eventually.js';

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

/** A keeper that records what the service tells it, and what it wanted while each section ran. */
class FakeKeeper extends EventEmitter<KeeperEvents> implements KeeperPort {
  wanted: Wanted | undefined = undefined;
  started = false;
  stopped = false;
  inSection = false;
  sections: Array<Wanted | undefined> = [];
  start() {
    this.started = true;
  }
  async stop() {
    this.stopped = true;
  }
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.sections.push(this.wanted);
    this.inSection = true;
    try {
      return await fn();
    } finally {
      this.inSection = false;
    }
  }
}

function setup(opts: { now?: () => number; creds?: UpstreamCredentials | null; keeper?: boolean } = {}) {
  const handles: ReturnType<typeof fakeHandle>[] = [];
  const keepers: FakeKeeper[] = [];
  const build = vi.fn(async (_s: MirrorSettings, _c: UpstreamCredentials | null) => {
    const h = fakeHandle();
    handles.push(h);
    if (!opts.keeper) return h.handle;
    const keeper = new FakeKeeper();
    keepers.push(keeper);
    return { ...h.handle, keeper };
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
  return { service, build, handles, keepers, statuses, operations, progress };
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
    // The real engine builder, given a DOCKER_HOST the app cannot use: its own refusal is what shows.
    build.mockImplementationOnce(realEngine({ DOCKER_HOST: 'ssh://x' }, 1000, '/nonexistent/state'));
    await service.configure(settings);
    expect(statuses).toEqual(['engine-unreachable']);
    expect(service.current?.message).toMatch(/Docker host ssh:\/\/x uses ssh:\/\/, which is not supported/);
    expect((await service.refresh()).state).toBe('stopped');
    expect(build).toHaveBeenCalledTimes(2);
  });

  it('runs one operation at a time, with operation and progress events', async () => {
    const { service, handles, operations, progress } = setup();
    await service.configure(settings);
    const up = service.up();
    await eventually(() => expect(handles[0]?.mirror.up).toHaveBeenCalled());
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

describe('MirrorService with a keeper', () => {
  it('starts the keeper instead of the monitor, and passes on its status and what it did', async () => {
    const { service, handles, keepers, statuses } = setup({ keeper: true, now: () => 0 });
    const told: unknown[] = [];
    service.on('keeper', (e) => told.push(e));
    await service.configure(settings);
    const keeper = keepers[0]!;
    expect(keeper.started).toBe(true);
    expect(handles[0]?.monitor.started).toBe(false); // the keeper runs it
    handles[0]?.monitor.emit('status', statusIn('stopped')); // only the keeper's statuses count
    keeper.emit('status', statusIn('running', { mode: 'offline', cachedRepositories: 3 }));
    expect(statuses).toEqual(['running']);
    expect(service.current).toMatchObject({ mode: 'offline', cachedRepositories: 3 });
    keeper.emit('mode', {
      mode: 'offline',
      previous: 'proxy',
      message: 'offline: serving 3 cached repositories',
    });
    keeper.emit('recovered', { action: 'recreated', from: 'not-created', ms: 700 });
    keeper.emit('failed', new Error('port 5000 is already in use'));
    const at = '1970-01-01T00:00:00.000Z';
    expect(told).toEqual([
      {
        kind: 'mode',
        mode: 'offline',
        previous: 'proxy',
        message: 'offline: serving 3 cached repositories',
        at,
      },
      {
        kind: 'recovered',
        action: 'recreated',
        from: 'not-created',
        ms: 700,
        message: "the mirror was removed behind the app's back: recreated in 700 ms",
        at,
      },
      { kind: 'failed', message: 'port 5000 is already in use', at },
    ]);
    // What main sends to the renderer is checked against the contract first.
    for (const e of told) expect(events['mirror.keeper'].payload.parse(e)).toEqual(e);
    expect(events['mirror.status'].payload.parse(service.current)).toEqual(service.current);
  });

  it("tells the keeper the user's start and stop before acting, and acts inside its exclusive section", async () => {
    const { service, handles, keepers } = setup({ keeper: true });
    await service.configure(settings);
    const keeper = keepers[0]!;
    expect(keeper.wanted).toBeUndefined(); // learnt by the keeper from the first status
    let inside = false;
    handles[0]!.mirror.down.mockImplementation(async () => ((inside = keeper.inSection), true));
    await service.down();
    expect(inside).toBe(true);
    const up = service.up();
    await eventually(() => expect(handles[0]?.mirror.up).toHaveBeenCalled());
    expect(keeper.inSection).toBe(true);
    handles[0]?.release();
    await up;
    await service.verify();
    await service.exclusive('prune', async () => expect(keeper.inSection).toBe(true));
    // down said stopped, up said running; verify and prune leave it as it is.
    expect(keeper.sections).toEqual(['stopped', 'running', 'running', 'running']);
  });

  it("never tells the user's own start racing the keeper as a recovery; one after it is told", async () => {
    const { service, handles, keepers } = setup({ keeper: true });
    const told: unknown[] = [];
    service.on('keeper', (e) => told.push(e));
    await service.configure(settings);
    const keeper = keepers[0]!;
    const up = service.up();
    await eventually(() => expect(handles[0]?.mirror.up).toHaveBeenCalled());
    keeper.emit('recovered', { action: 'started', from: 'stopped', ms: 1545 });
    handles[0]?.release();
    await up;
    expect(told).toEqual([]);
    keeper.emit('recovered', { action: 'started', from: 'not-created', ms: 80 });
    expect(told).toMatchObject([{ kind: 'recovered', from: 'not-created', ms: 80 }]);
  });

  it('carries what the user wanted to the next keeper, learnt or said, and stops the old one', async () => {
    const { service, keepers } = setup({ keeper: true });
    await service.configure(settings);
    keepers[0]!.wanted = 'running'; // learnt from a running mirror
    await service.configure({ ...settings, autoRecreate: false });
    expect(keepers[0]?.stopped).toBe(true);
    expect(keepers[1]?.wanted).toBe('running');
    await service.down();
    await service.configure(settings);
    expect(keepers[2]?.wanted).toBe('stopped');
    expect(service.wantedState).toBe('stopped');
    keepers[1]!.emit('mode', { mode: 'offline', previous: 'proxy', message: 'stale' });
    service.dispose();
    expect(keepers[2]?.stopped).toBe(true);
  });
});

describe('realEngine', () => {
  it('reports an engine that is not there as unreachable', async () => {
    const handle = await realEngine({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' })(settings, null);
    const status = await handle.monitor.refresh();
    expect(status.state).toBe('engine-unreachable');
    expect(status.engine).toMatchObject({ reachable: false });
    expect(handle.keeper).toBeDefined();
    handle.monitor.stop();
  });

  it('builds no keeper when told not to keep the mirror', async () => {
    const env = { DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
    const handle = await realEngine(env, 1000, '/tmp/drpc-ms', { enabled: false })(settings, null);
    expect(handle.keeper).toBeUndefined();
    expect((await handle.monitor.refresh()).state).toBe('engine-unreachable');
  });
});
