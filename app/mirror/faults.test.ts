// What goes wrong on a real engine: an upstream that never answers, credentials, pulling the image.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  freePort,
  removeLocalImages,
  tempDir,
  testbed,
  testDocker,
  uniqueName,
} from '../../testbed/helpers.js';
import { ensureImage, type PullProgress } from './image.js';
import { Mirror } from './mirror.js';
import { defaultMirrorSettings, mirrorDirs, type MirrorSettings } from './settings.js';

describe('mirror faults', () => {
  const docker = testDocker();
  const made: Mirror[] = [];
  const mirrorWith = async (
    over: Partial<MirrorSettings>,
    creds?: { username: string; password: string },
  ) => {
    const m = new Mirror({
      docker,
      settings: {
        ...defaultMirrorSettings(),
        image: testbed().mirrorImage,
        port: await freePort(),
        dataDir: tempDir('drpc-fault-'),
        containerName: uniqueName('drpc-fault'),
        ...over,
      },
      credentials: creds ?? null,
      healthTimeoutMs: 8000,
    });
    made.push(m);
    return m;
  };
  afterAll(async () => {
    for (const m of made) await m.remove().catch(() => {});
  });

  it('reports crash-looping when the registry cannot reach its upstream at start', async () => {
    // 2.8 panics when the upstream name does not resolve, and the restart policy loops it.
    const m = await mirrorWith({ upstreamUrl: 'http://upstream.invalid:5000' });
    const { status } = await m.up();
    expect(status.state).toBe('crash-looping');
    expect(status.message).toMatch(/keeps restarting/);
    expect(await m.logs(500)).toMatch(/panic: /);
  });

  it('hands upstream credentials to the container environment and never to the config file', async () => {
    const secret = `pw-${Math.random().toString(36).slice(2)}`;
    const m = await mirrorWith(
      { upstreamUrl: testbed().upstreamUrl, network: testbed().network },
      { username: 'robot', password: secret },
    );
    const { status } = await m.up();
    expect(status.state).toBe('running');
    const info = await docker.getContainer(status.container!.id).inspect();
    expect(info.Config.Env).toContain(`REGISTRY_PROXY_PASSWORD=${secret}`);
    expect(readFileSync(join(mirrorDirs(m.settings).config, 'config.yml'), 'utf8')).not.toContain(secret);
    expect(JSON.stringify(info.Config.Labels)).not.toContain(secret);
    expect(JSON.stringify(status)).not.toContain(secret);
    // A new password recreates the container; the same one does not.
    const same = new Mirror({
      docker,
      settings: m.settings,
      credentials: { username: 'robot', password: secret },
    });
    expect((await same.up()).action).toBe('unchanged');
    const changed = new Mirror({
      docker,
      settings: m.settings,
      credentials: { username: 'robot', password: 'other' },
    });
    expect((await changed.up()).action).toBe('recreated');
  });

  it('pulls a missing registry image with progress events', async () => {
    const port = new URL(testbed().upstreamHostUrl).port;
    const ref = `127.0.0.1:${port}/library/busybox:latest`;
    await removeLocalImages(docker, [ref]);
    const events: PullProgress[] = [];
    expect(await ensureImage(docker, ref, (p) => events.push(p))).toBe('pulled');
    expect(events.some((e) => /Pull complete|Download complete/.test(e.status))).toBe(true);
    expect(events.some((e) => e.total !== undefined && e.current !== undefined)).toBe(true);
    expect(await ensureImage(docker, ref)).toBe('present');
    await removeLocalImages(docker, [ref]);
  });
});
