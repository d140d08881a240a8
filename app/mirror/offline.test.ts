// Offline mode on the real test bed: the upstream stopped, or accepting and never answering. The mirror
// switches to serving its storage without the upstream, every cached image pulls, and it switches back.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setMirrors, engine } from '../../testbed/dockerd.js';
import { pullAll, testDocker, testMirrorSettings, testbed } from '../../testbed/helpers.js';
import { startUpstream, stopUpstream, upstreamRequests } from '../../testbed/upstream.js';
import { NET } from '../../testbed/layout.js';
import { readCatalog } from './http.js';
import { Mirror } from './mirror.js';
import { ModeController, type ModeChange } from './mode-controller.js';
import type { MirrorMode } from './registry-config.js';
import type { MirrorSettings } from './settings.js';
import { probeUpstream } from './upstream-probe.js';

const CACHED = ['library/busybox:latest', 'library/app-one:latest', 'library/multi:latest'];

describe('offline mode', () => {
  const docker = testDocker();
  let settings: MirrorSettings;
  const mirrorFor = (mode: MirrorMode, s = settings) => new Mirror({ docker, settings: s, mode });

  beforeAll(async () => {
    settings = await testMirrorSettings('drpc-offline');
    await mirrorFor('proxy').up();
    await setMirrors([mirrorFor('proxy').mirrorUrl]);
    await pullAll(docker, CACHED);
  });
  afterAll(async () => {
    await startUpstream(engine());
    await setMirrors([]);
    await mirrorFor('proxy')
      .remove()
      .catch(() => {});
  });

  it('serves every cached image without the upstream, and goes back to proxying when it returns', async () => {
    const changes: ModeChange[] = [];
    const controller = new ModeController({
      mirrorFor: (mode) => mirrorFor(mode),
      // The host reaches the stand-in Docker Hub on its published port; the mirror by its name.
      probe: () => probeUpstream(testbed().upstreamHostUrl, 1000),
    });
    controller.on('change', (c) => changes.push(c));
    expect(await controller.apply()).toBeUndefined(); // online already: nothing to do

    await stopUpstream(docker);
    try {
      const change = await controller.apply();
      expect(change).toEqual({
        mode: 'offline',
        previous: 'proxy',
        message: expect.stringMatching(/^offline: serving 3 cached repositories \(upstream: /),
      });
      expect(await controller.currentMode()).toBe('offline');
      const times = await pullAll(docker, CACHED);
      console.log(`offline pulls (upstream stopped): ${times.join(', ')} ms`);
      // No proxy section at all: nothing in the registry even tried the upstream.
      const logs = await mirrorFor('offline').logs(2000);
      const sinceSwitch = logs.slice(logs.lastIndexOf('listening on'));
      expect(sinceSwitch).not.toMatch(/upstream/i);
      // Read-only: a push into the cache is refused.
      const push = await fetch(`${mirrorFor('offline').baseUrl}/v2/library/x/blobs/uploads/`, {
        method: 'POST',
      });
      expect(push.status).toBeGreaterThanOrEqual(400);
    } finally {
      await startUpstream(docker);
    }

    const back = await controller.apply();
    expect(back).toMatchObject({ mode: 'proxy', previous: 'offline' });
    const mark = (await upstreamRequests(docker)).length;
    await pullAll(docker, ['library/app-two:latest']); // not cached: must come from the upstream
    expect((await upstreamRequests(docker)).slice(mark).some((r) => r.path.includes('/blobs/'))).toBe(true);
    expect(await readCatalog(mirrorFor('proxy').baseUrl)).toContain('library/app-two');
    expect(changes.map((c) => c.mode)).toEqual(['offline', 'proxy']);
  });

  it('goes offline for an upstream that accepts connections and never answers', async () => {
    // A black hole on the test network's gateway: connections are accepted and left hanging.
    const net = await docker.getNetwork(NET.testNetwork).inspect();
    const gateway = net.IPAM?.Config?.[0]?.Gateway as string;
    const held: Socket[] = [];
    const hole: Server = createServer((s) => held.push(s));
    await new Promise<void>((r) => hole.listen(0, gateway, r));
    const url = `http://${gateway}:${(hole.address() as { port: number }).port}`;
    const hanging = { ...settings, upstreamUrl: url };
    try {
      const controller = new ModeController({
        mirrorFor: (mode) => mirrorFor(mode, hanging),
        probe: () => probeUpstream(url, 1000),
      });
      const change = await controller.apply();
      expect(change?.mode).toBe('offline');
      expect(change?.message).toMatch(/no answer within 1000 ms/);
      const times = await pullAll(docker, CACHED);
      console.log(`offline pulls (upstream hanging): ${times.join(', ')} ms`);
      expect(await readCatalog(mirrorFor('offline', hanging).baseUrl)).toEqual(
        expect.arrayContaining(['library/busybox', 'library/app-one', 'library/multi']),
      );
    } finally {
      for (const s of held) s.destroy();
      hole.close();
      await mirrorFor('proxy').up(); // back to the real upstream for the next tests
    }
  });
});
