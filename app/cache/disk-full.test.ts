// The cache's volume fills up (a small tmpfs). 2.8 still streams a miss to the client while its copy into
// the cache fails, so the pull itself may succeed: what matters is that the report says "disk full",
// the image was not (half) cached, nothing cached is damaged, and pruning frees the space.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setMirrors } from '../../testbed/dockerd.js';
import {
  freePort,
  pull,
  removeImagesExceptRegistry,
  tempDir,
  testbed,
  testDocker,
  uniqueName,
} from '../../testbed/helpers.js';
import { Mirror } from '../mirror/mirror.js';
import { defaultMirrorSettings, mirrorDirs, type MirrorSettings } from '../mirror/settings.js';
import { blobDataPath, storeLayout } from './scan/layout.js';
import { CacheService } from './service.js';

const execFileP = promisify(execFile);

describe('disk full', () => {
  const docker = testDocker();
  let settings: MirrorSettings;
  let svc: CacheService;
  const mirror = () => new Mirror({ docker, settings });

  beforeAll(async () => {
    const dir = tempDir('drpc-full-');
    // Room for app-one (1.4 MB) and the 1 MiB the app holds back, but not for multi as well.
    await execFileP('mount', ['-t', 'tmpfs', '-o', 'size=3300k', 'tmpfs', dir]);
    settings = {
      ...defaultMirrorSettings(),
      image: testbed().mirrorImage,
      port: await freePort(),
      dataDir: dir,
      containerName: uniqueName('drpc-full'),
      upstreamUrl: testbed().upstreamUrl,
      network: testbed().network,
    };
    await mirror().up();
    await setMirrors([mirror().mirrorUrl]);
    svc = new CacheService({ docker, mirror: mirror(), stateDir: tempDir() });
  });
  afterAll(async () => {
    await setMirrors([]);
    await mirror()
      .remove()
      .catch(() => {});
    await execFileP('umount', ['-l', settings.dataDir]).catch(() => {});
  });

  it('says disk full, keeps what is cached intact, and recovers after a prune', async () => {
    await pull(docker, 'library/app-one:latest');
    await removeImagesExceptRegistry(docker);
    expect((await svc.report()).volume.full).toBe(false);

    await pull(docker, 'library/multi:latest').catch((err: Error) => err);
    await removeImagesExceptRegistry(docker);
    const full = await svc.report();
    expect(full.volume.full).toBe(true);
    const multi = (await svc.scan()).repositories.find((r) => r.name === 'library/multi');
    // Whatever the registry linked of it before the disk ran out, no link points at a missing blob.
    expect((await svc.scan()).missingLinks.filter((l) => l.kind === 'layer')).toEqual([]);
    expect(multi?.totalBytes ?? 0).toBeLessThan(1_300_000);

    // Every blob app-one's manifests reach is whole: its bytes hash to its digest.
    const scan = await svc.scan();
    const one = scan.repositories.find((r) => r.name === 'library/app-one')!;
    const store = storeLayout(mirrorDirs(settings).data);
    for (const d of one.blobs) {
      const hash =
        'sha256:' +
        createHash('sha256')
          .update(readFileSync(blobDataPath(store, d)))
          .digest('hex');
      expect(hash).toBe(d);
    }
    await removeImagesExceptRegistry(docker);
    await pull(docker, 'library/app-one:latest'); // still served from the cache
    await removeImagesExceptRegistry(docker);

    await svc.prune(await svc.plan({ kind: 'items', items: [{ repo: 'library/app-one' }] }));
    const after = await svc.report();
    expect(after.volume.full).toBe(false);
    expect(after.volume.freeBytes).toBeGreaterThan(full.volume.freeBytes);
    await pull(docker, 'library/busybox:latest');
    await removeImagesExceptRegistry(docker);
    expect((await svc.report()).repositories.map((r) => r.name)).toContain('library/busybox');
    // 3.x answers the copy that does not fit with a 500 mid-stream; dockerd retries it for about a minute.
  }, 180_000);
});
