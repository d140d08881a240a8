// The default image (registry:3) on an engine that does not have it and cannot pull it (the test bed's
// dockerd has no way out, like a first start on a plane) while registry:2 is there: the mirror runs
// registry:2 over the same cache and says so, the status does not call it outdated, a prune's GC runs
// the image the container runs, and once registry:3 is there `up` switches to it, keeping the cache.
import { WAIT_MS } from '../../testbed/deadline.js';
import { httpPull } from '../../testbed/http-pull.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from '../../testbed/eventually.js';
import { describeOnRegistry3, testDocker, testMirrorSettings } from '../../testbed/helpers.js';
import { runGarbageCollect } from '../cache/prune/gc.js';
import { readCatalog } from './http.js';
import { chosenImage, FALLBACK_IMAGE, obtainImage } from './image.js';
import { Mirror } from './mirror.js';
import { DEFAULT_IMAGE, type MirrorSettings } from './settings.js';

const BACKUP = { repo: 'drpc-test/registry3-kept-aside', tag: 'fallback-test' };

const NAME = 'the default image falls back to registry:2 when registry:3 cannot be had';
describeOnRegistry3(NAME, () => {
  const docker = testDocker();
  let settings: MirrorSettings;
  let aside = false;

  beforeAll(async () => {
    settings = { ...(await testMirrorSettings('drpc-fallback')), image: DEFAULT_IMAGE };
    // registry:3 set aside under another name (the image stays), so the engine "does not have it".
    await docker.getImage(DEFAULT_IMAGE).tag(BACKUP);
    await docker.getImage(DEFAULT_IMAGE).remove({ noprune: true });
    aside = true;
  });

  afterAll(async () => {
    if (aside) {
      await docker.getImage(`${BACKUP.repo}:${BACKUP.tag}`).tag({ repo: 'registry', tag: '3' });
      await docker.getImage(`${BACKUP.repo}:${BACKUP.tag}`).remove({ noprune: true });
    }
    await new Mirror({ docker, settings }).remove().catch(() => undefined);
  });

  it('runs registry:2 over the cache, says why, and the status calls it current', async () => {
    expect(await chosenImage(docker, DEFAULT_IMAGE)).toBe(FALLBACK_IMAGE);
    const up = await new Mirror({ docker, settings }).up();
    expect(up.action).toBe('created');
    expect(up.status.state).toBe('running');
    expect(up.status.container?.image).toBe(FALLBACK_IMAGE);
    expect(up.note).toMatch(
      /^registry:3 \(the default\) is not on this engine and could not be pulled \(.+\): running registry:2, which is, over the same cache/,
    );
    // Not "settings changed": nothing to recreate while registry:3 cannot be had.
    const status = await new Mirror({ docker, settings }).status();
    expect(status.container?.configCurrent).toBe(true);
    const again = await new Mirror({ docker, settings }).up();
    expect(again.action).toBe('unchanged');
    // The settings still name the default: nothing was written over the user's choice.
    expect(settings.image).toBe(DEFAULT_IMAGE);
    // It serves: an image asked of it (manifest, then each layer) is fetched and kept in its cache.
    await httpPull(`http://127.0.0.1:${settings.port}`, 'library/busybox', 'latest', WAIT_MS);
    // The proxy stores what it served after answering.
    await eventually(async () =>
      expect(await readCatalog(`http://127.0.0.1:${settings.port}`)).toContain('library/busybox'),
    );
  });

  it("a stop-the-world GC runs the image the container runs, not the settings' missing one", async () => {
    await new Mirror({ docker, settings }).down();
    const gc = await runGarbageCollect(docker, settings, { dryRun: true });
    expect(gc.exitCode).toBe(0);
    await new Mirror({ docker, settings }).up();
  });

  it('a second up soon after does not ask Docker Hub again, and still says why', async () => {
    const obtained = await obtainImage(docker, DEFAULT_IMAGE);
    expect(obtained).toEqual({ image: FALLBACK_IMAGE, note: expect.stringMatching(/could not be pulled/) });
  });

  it('switches to registry:3 once the engine has it, and the cache carries over', async () => {
    await docker.getImage(`${BACKUP.repo}:${BACKUP.tag}`).tag({ repo: 'registry', tag: '3' });
    await docker.getImage(`${BACKUP.repo}:${BACKUP.tag}`).remove({ noprune: true });
    aside = false;
    const before = await new Mirror({ docker, settings }).status();
    expect(before.container?.configCurrent).toBe(false);
    const up = await new Mirror({ docker, settings }).up();
    expect(up.action).toBe('recreated');
    expect(up.status.container?.image).toBe(DEFAULT_IMAGE);
    expect(up.note).toBeUndefined();
    expect(await readCatalog(`http://127.0.0.1:${settings.port}`)).toContain('library/busybox');
  });
});
