// One cache, both registries: what 2.8 cached is served by 3.1 (through the proxy without a single blob
// fetched again, and offline), what 3.1 added is served by 2.8, offline too. This is what lets the
// default move to registry:3 (and an install fall back to registry:2) without migrating anything cached.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { setMirrors } from '../../testbed/dockerd.js';
import {
  describeOnRegistry3,
  pull,
  removeLocalImages,
  testDocker,
  testMirrorSettings,
} from '../../testbed/helpers.js';
import { upstreamRequests } from '../../testbed/upstream.js';
import { readCatalog } from './http.js';
import { Mirror } from './mirror.js';
import type { MirrorMode } from './registry-config.js';
import type { MirrorSettings } from './settings.js';

const CACHED = ['library/busybox:latest', 'library/app-one:latest', 'library/multi:latest'];
const ADDED = 'library/app-two:latest';
const ALL = [...CACHED, ADDED];

const NAME = 'one cache served by registry 2.8 and 3.1, both ways';
describeOnRegistry3(NAME, () => {
  const docker = testDocker();
  let base: MirrorSettings;
  let current: Mirror | undefined;

  /** The mirror on `image` in `mode` over the one cache, the engine pointed at it. */
  async function serveWith(image: string, mode: MirrorMode): Promise<Mirror> {
    await current?.remove();
    current = new Mirror({ docker, settings: { ...base, image }, mode });
    const { status } = await current.up();
    expect(status.state).toBe('running');
    expect(status.container?.image).toBe(image);
    await setMirrors([current.mirrorUrl]);
    return current;
  }

  /** Pulls each image with nothing of it on the engine; returns the upstream's blob fetches meanwhile. */
  async function pullEach(refs: string[]): Promise<number> {
    const mark = (await upstreamRequests(docker)).length;
    for (const ref of refs) {
      await removeLocalImages(docker, ALL);
      await pull(docker, ref);
    }
    return (await upstreamRequests(docker))
      .slice(mark)
      .filter((r) => r.method === 'GET' && r.path.includes('/blobs/')).length;
  }

  beforeAll(async () => {
    base = await testMirrorSettings('drpc-xver');
  });
  afterAll(async () => {
    await setMirrors([]);
    await current?.remove().catch(() => undefined);
    await removeLocalImages(docker, ALL);
  });

  it('2.8 caches three images through the proxy', async () => {
    await serveWith('registry:2', 'proxy');
    expect(await pullEach(CACHED)).toBeGreaterThan(0);
  });

  it('3.1 serves them through the proxy without fetching a blob again, and adds a fourth', async () => {
    const m = await serveWith('registry:3', 'proxy');
    expect(await pullEach(CACHED)).toBe(0);
    expect(await pullEach([ADDED])).toBeGreaterThan(0);
    expect(await readCatalog(m.baseUrl)).toEqual(expect.arrayContaining(ALL.map((r) => r.split(':')[0])));
  });

  it('offline, 3.1 and then 2.8 serve all four from the one cache', async () => {
    await serveWith('registry:3', 'offline');
    expect(await pullEach(ALL)).toBe(0);
    await serveWith('registry:2', 'offline');
    expect(await pullEach(ALL)).toBe(0);
  });

  it("2.8 through the proxy again serves 3.1's addition without fetching a blob", async () => {
    await serveWith('registry:2', 'proxy');
    expect(await pullEach(ALL)).toBe(0);
  });
});
