// registries.conf as drpc writes it, read by a real containers/image client: skopeo (the library
// Podman, Buildah and CRI-O use), reading it as the user's own file: $HOME/.config/containers/
// registries.conf, which replaces the system's when it exists (skopeo 1.9 here does not know the
// CONTAINERS_REGISTRIES_CONF variable of later versions). A copy of
// docker.io/library/app-one succeeds only through the mirror: docker.io itself is not reachable here
// (and a proxy that refuses makes sure of it), and the mirror fetched it from the stand-in Docker Hub.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, testDocker, testMirrorSettings } from '../../../testbed/helpers.js';
import { upstreamRequests } from '../../../testbed/upstream.js';
import { readCatalog } from '../../mirror/http.js';
import { Mirror } from '../../mirror/mirror.js';
import { applyClientFile } from './client-file.js';

const execFileP = promisify(execFile);
const hasSkopeo = () =>
  execFileP('skopeo', ['--version']).then(
    () => true,
    () => false,
  );

describe("Podman's registries.conf, written by drpc, read by skopeo", () => {
  const docker = testDocker();
  let mirror: Mirror;

  beforeAll(async () => {
    mirror = new Mirror({ docker, settings: await testMirrorSettings('drpc-podman') });
    await mirror.up();
  });
  afterAll(async () => {
    await mirror.remove().catch(() => {});
  });

  it('copies docker.io/library/app-one through the mirror; the user’s own lines stay', async (ctx) => {
    if (!(await hasSkopeo())) ctx.skip('needs skopeo (Debian package skopeo; .ci/run installs it)');
    const dir = tempDir('drpc-podman-');
    mkdirSync(join(dir, '.config', 'containers'), { recursive: true });
    const conf = join(dir, '.config', 'containers', 'registries.conf');
    const mine = '# my settings\nshort-name-mode = "permissive"\n';
    writeFileSync(conf, mine);
    await applyClientFile('podman', conf, [{ registry: 'docker.io', mirrorUrl: mirror.mirrorUrl }]);
    expect(readFileSync(conf, 'utf8').startsWith(mine)).toBe(true);

    const before = (await upstreamRequests(docker)).length;
    const env = {
      ...process.env,
      HOME: dir,
      HTTPS_PROXY: 'http://127.0.0.1:9',
      HTTP_PROXY: 'http://127.0.0.1:9',
      NO_PROXY: 'localhost,127.0.0.1',
    };
    await execFileP(
      'skopeo',
      ['--insecure-policy', 'copy', 'docker://docker.io/library/app-one:latest', `dir:${join(dir, 'out')}`],
      { env, timeout: 120_000 },
    );
    expect(readFileSync(join(dir, 'out', 'manifest.json'), 'utf8')).toContain('"layers"');
    await expect.poll(() => readCatalog(mirror.baseUrl)).toContain('library/app-one');
    expect((await upstreamRequests(docker)).length).toBeGreaterThan(before);
  });
});
