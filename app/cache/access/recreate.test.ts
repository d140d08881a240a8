// Pulls logged by a container that is then recreated (a mode switch, `up --offline`) are counted: the
// log is kept before the removal and folded in by the next look, once, however often it looks again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setMirrors } from '../../../testbed/dockerd.js';
import {
  pull,
  removeImagesExceptRegistry,
  tempDir,
  testDocker,
  testMirrorSettings,
} from '../../../testbed/helpers.js';
import { startUpstream, stopUpstream } from '../../../testbed/upstream.js';
import { Mirror, modeOf } from '../../mirror/mirror.js';
import type { MirrorSettings } from '../../mirror/settings.js';
import { CacheService } from '../service.js';
import { keptLogs } from './log-spool.js';

const BUSYBOX = 'library/busybox';

describe('pull counts across a recreated container', () => {
  const docker = testDocker();
  let settings: MirrorSettings;
  let mirror: Mirror;
  let stateDir: string;
  const service = () => new CacheService({ docker, mirror, stateDir });
  const pulls = async (svc = service()) => {
    const report = await svc.report();
    await svc.close();
    return report.repositories.find((r) => r.name === BUSYBOX);
  };

  beforeAll(async () => {
    settings = await testMirrorSettings('drpc-recount');
    stateDir = tempDir('drpc-recount-state-');
    mirror = new Mirror({ docker, settings });
    await mirror.up();
    await setMirrors([mirror.mirrorUrl]);
  });
  afterAll(async () => {
    await startUpstream(docker);
    await setMirrors([]);
    await mirror.remove().catch(() => {});
  });

  it('10 pulls, a mode switch, then ls: 10; again: 10; one offline pull and a switch back: 11', async () => {
    for (let i = 0; i < 10; i++) {
      await removeImagesExceptRegistry(docker);
      await pull(docker, `${BUSYBOX}:latest`);
    }
    await removeImagesExceptRegistry(docker);
    // Nothing read the log yet: the container is recreated in offline mode (as `up --offline` does).
    const offline = mirror.inMode('offline');
    const t0 = Date.now();
    expect((await offline.up()).action).toBe('recreated');
    console.log(`recreate with the log kept: ${Date.now() - t0} ms`);
    expect(modeOf((await mirror.inspect())!)).toBe('offline');
    expect(await keptLogs(settings.dataDir)).toHaveLength(1);

    expect(await pulls()).toMatchObject({ pulls: 10, tags: [{ name: 'latest', pulls: 10 }] });
    expect(await keptLogs(settings.dataDir)).toEqual([]);
    // Read again (a new process: the records and the live log from disk): still 10.
    expect((await pulls())?.pulls).toBe(10);

    await stopUpstream(docker);
    try {
      await pull(docker, `${BUSYBOX}:latest`);
    } finally {
      await startUpstream(docker);
      await removeImagesExceptRegistry(docker);
    }
    expect((await mirror.up()).action).toBe('recreated'); // back to proxy: the offline log is kept
    const svc = service();
    expect(await pulls(svc)).toMatchObject({ pulls: 11 });
    // The kept log of the offline container counts as what it was: an offline pull.
    expect(svc.tracker.records.repos[BUSYBOX]?.offlinePulls).toBe(1);
    expect((await pulls())?.pulls).toBe(11);
  }, 180_000);
});
