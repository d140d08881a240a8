// The seed's verification, for real: a mirror on the test bed's dockerd, pulls through it, data that survives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setMirrors } from '../../testbed/dockerd.js';
import {
  pull,
  removeImagesExceptRegistry,
  removeLocalImages,
  testDocker,
  testMirrorSettings,
} from '../../testbed/helpers.js';
import { upstreamRequests } from '../../testbed/upstream.js';
import { readCatalog } from './http.js';
import { Mirror } from './mirror.js';
import type { MirrorSettings } from './settings.js';

describe('mirror on a real engine', () => {
  const docker = testDocker();
  let settings: MirrorSettings;
  let mirror: Mirror;

  beforeAll(async () => {
    settings = await testMirrorSettings('drpc-mirror');
    mirror = new Mirror({ docker, settings });
  });

  afterAll(async () => {
    await setMirrors([]);
    await mirror.remove().catch(() => {});
    await removeImagesExceptRegistry(docker);
  });

  it('comes up with an empty catalog, and the daemon pulls busybox through it', async () => {
    const { action, status } = await mirror.up();
    expect(action).toBe('created');
    expect(status.state).toBe('running');
    expect(await readCatalog(mirror.baseUrl)).toEqual([]);

    await setMirrors([mirror.mirrorUrl]);
    await removeLocalImages(docker, ['busybox:latest']);
    const before = await upstreamRequests(docker);
    await pull(docker, 'busybox:latest');
    // 2.8 links a cold miss into its store while (or just after) streaming it: the catalog follows soon.
    await expect.poll(() => readCatalog(mirror.baseUrl), { timeout: 10_000 }).toEqual(['library/busybox']);
    const cold = (await upstreamRequests(docker)).slice(before.length);
    expect(cold.filter((r) => r.method === 'GET' && r.path.includes('/blobs/')).length).toBeGreaterThan(0);

    // Warm: the local copy is gone; the mirror serves every byte itself.
    await removeLocalImages(docker, ['busybox:latest']);
    const mark = (await upstreamRequests(docker)).length;
    await pull(docker, 'busybox:latest');
    const warm = (await upstreamRequests(docker)).slice(mark);
    const content = (r: { method: string; path: string }) =>
      r.method === 'GET' && /\/(blobs|manifests)\//.test(r.path);
    expect(warm.filter(content)).toEqual([]);
    // 2.8 still asks whether the tag moved: a HEAD of the manifest (not a counted Docker Hub pull).
    expect(
      warm.filter((r) => r.method === 'HEAD' && r.path.includes('/manifests/')).length,
    ).toBeLessThanOrEqual(1);
  });
});
