// Container lifecycle on the real engine: recreate only on change, data that survives, engine restarts.
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restartDockerd, setMirrors } from '../../testbed/dockerd.js';
import {
  freePort,
  needsEngineControl,
  pull,
  removeLocalImages,
  testbed,
  testDocker,
  testMirrorSettings,
} from '../../testbed/helpers.js';
import { startUpstream, upstreamRequests } from '../../testbed/upstream.js';
import { readCatalog } from './http.js';
import { Mirror } from './mirror.js';
import { StatusMonitor } from './monitor.js';
import { configPathFor, registryMajorOf } from './registry-config.js';
import { mirrorDirs, type MirrorSettings } from './settings.js';
import type { MirrorStatus } from './status.js';

describe('mirror lifecycle', () => {
  const docker = testDocker();
  let settings: MirrorSettings;
  const mirrorFor = (s: MirrorSettings) => new Mirror({ docker, settings: s });

  beforeAll(async () => {
    settings = await testMirrorSettings('drpc-life');
  });
  afterAll(async () => {
    await setMirrors([]);
    await mirrorFor(settings)
      .remove()
      .catch(() => {});
  });

  it('creates once, then leaves an unchanged configuration alone', async () => {
    const first = await mirrorFor(settings).up();
    expect(first.action).toBe('created');
    const id = first.status.container!.id;
    const again = await mirrorFor(settings).up();
    expect(again.action).toBe('unchanged');
    expect(again.status.container!.id).toBe(id);
    expect(again.status.container!.configCurrent).toBe(true);
    // Labels mark it as ours and carry the configuration hash; the port is on loopback only.
    const info = await docker.getContainer(id).inspect();
    expect(info.Config.Labels['io.drpc.managed']).toBe('true');
    expect(info.Config.Labels['io.drpc.config-hash']).toMatch(/^[0-9a-f]{16}$/);
    expect(info.HostConfig.PortBindings['5000/tcp']).toEqual([
      { HostIp: '127.0.0.1', HostPort: String(settings.port) },
    ]);
    expect(info.HostConfig.RestartPolicy?.Name).toBe('unless-stopped');
    // registry:2 reads /etc/docker/registry, registry:3 /etc/distribution.
    const configDir = dirname(configPathFor(registryMajorOf(testbed().mirrorImage)));
    expect(info.HostConfig.Binds).toContain(`${mirrorDirs(settings).config}:${configDir}:ro`);
  });

  it('a stopped mirror is started, not recreated', async () => {
    const before = await mirrorFor(settings).inspect();
    expect(await mirrorFor(settings).down()).toBe(true);
    expect((await mirrorFor(settings).status()).state).toBe('stopped');
    const { action, status } = await mirrorFor(settings).up();
    expect(action).toBe('started');
    expect(status.container!.id).toBe(before!.Id);
  });

  it('recreates when the port or the upstream changes, and reports drift before that', async () => {
    const id = (await mirrorFor(settings).inspect())!.Id;
    const moved = { ...settings, port: await freePort() };
    const drift = await mirrorFor(moved).status();
    expect(drift.container!.configCurrent).toBe(false);
    const byPort = await mirrorFor(moved).up();
    expect(byPort.action).toBe('recreated');
    expect(byPort.status.container!.id).not.toBe(id);
    expect(byPort.status.state).toBe('running');

    const other = { ...moved, upstreamUrl: `${testbed().upstreamUrl}/` };
    const byUpstream = await mirrorFor(other).up();
    expect(byUpstream.action).toBe('recreated');
    settings = other;
    expect(await readCatalog(mirrorFor(settings).baseUrl)).toEqual([]);
  });

  it('keeps the cache when the container is removed and recreated', async () => {
    const mirror = mirrorFor(settings);
    await setMirrors([mirror.mirrorUrl]);
    await removeLocalImages(docker, ['library/app-one:latest']);
    await pull(docker, 'library/app-one:latest');
    expect(await readCatalog(mirror.baseUrl)).toContain('library/app-one');
    expect(readdirSync(`${mirrorDirs(settings).data}/docker/registry/v2/repositories/library`)).toContain(
      'app-one',
    );

    expect(await mirror.remove()).toBe(true);
    expect((await mirror.up()).action).toBe('created');
    expect(await readCatalog(mirror.baseUrl)).toContain('library/app-one');
  });

  it('keeps the cache across an engine restart', async (ctx) => {
    needsEngineControl(ctx);
    const mirror = mirrorFor(settings);
    expect(await readCatalog(mirror.baseUrl)).toContain('library/app-one');
    // The engine restarts (a Docker Desktop restart or reset keeps our host directory).
    const monitor = new StatusMonitor(docker, mirror, 500);
    const seen: MirrorStatus['state'][] = [];
    const engineStates: boolean[] = [];
    monitor.on('status', (s) => seen.push(s.state));
    monitor.on('engine', (up) => engineStates.push(up));
    monitor.start();
    try {
      await monitor.refresh();
      await restartDockerd();
      await startUpstream(docker);
      // unless-stopped brings the mirror back with the engine; the monitor reconnects and sees it.
      const deadline = Date.now() + 60_000;
      while ((await monitor.refresh()).state !== 'running' && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(monitor.current?.state).toBe('running');
      expect(engineStates).toContain(false);
      expect(engineStates.at(-1)).toBe(true);
      expect(seen).toContain('engine-unreachable');
    } finally {
      monitor.stop();
    }
    expect(await readCatalog(mirror.baseUrl)).toContain('library/app-one');
    await removeLocalImages(docker, ['library/app-one:latest']);
    const mark = (await upstreamRequests(docker)).length;
    await pull(docker, 'library/app-one:latest');
    const after = (await upstreamRequests(docker)).slice(mark);
    expect(after.filter((r) => r.method === 'GET' && /\/(blobs|manifests)\//.test(r.path))).toEqual([]);
  });
});
