// The quota on the real test bed: past it, the least recently pulled repository goes; under it, nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setMirrors } from '../../testbed/dockerd.js';
import {
  pull,
  removeImagesExceptRegistry,
  tempDir,
  testDocker,
  testMirrorSettings,
} from '../../testbed/helpers.js';
import { Mirror } from '../mirror/mirror.js';
import { type MirrorSettings } from '../mirror/settings.js';
import { enforceQuota } from './quota.js';
import { CacheService } from './service.js';

describe('quota', () => {
  const docker = testDocker();
  let settings: MirrorSettings;
  let svc: CacheService;

  beforeAll(async () => {
    settings = await testMirrorSettings('drpc-quota');
    const mirror = new Mirror({ docker, settings });
    await mirror.up();
    await setMirrors([mirror.mirrorUrl]);
    svc = new CacheService({ docker, mirror, stateDir: tempDir() });
    for (const ref of ['library/busybox:latest', 'library/twotags:v1']) {
      await removeImagesExceptRegistry(docker);
      await pull(docker, ref);
    }
    await removeImagesExceptRegistry(docker);
  });
  afterAll(async () => {
    await setMirrors([]);
    await new Mirror({ docker, settings }).remove().catch(() => {});
  });

  it('prunes the least recently pulled repository once the cache is past its quota, and nothing under it', async () => {
    const scan = await svc.scan();
    expect(await enforceQuota(svc, null)).toEqual({ over: false });
    expect(await enforceQuota(svc, scan.blobBytes)).toEqual({ over: false });
    const r = await enforceQuota(svc, scan.blobBytes - 1);
    expect(r.over).toBe(true);
    expect(r.plan!.repositories).toEqual(['library/busybox']); // pulled first, so least recently
    expect(r.result!.freedBytes).toBe(r.plan!.bytes + r.plan!.orphanBytes);
    expect((await svc.scan()).repositories.map((x) => x.name)).toEqual(['library/twotags']);
  });
});
