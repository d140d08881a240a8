// An upstream behind a private CA (a team mirror, a company registry), on the test bed: a stand-in
// served over HTTPS with a certificate from the test bed's own CA. Without that CA the mirror cannot use
// it and says why in words (offline, "not trusted … --upstream-ca"); a file that is not a CA is refused
// and nothing is saved; with --upstream-ca the mirror pulls through it and the probe trusts it too.
import { WAIT_MS } from '../../testbed/deadline.js';
import { httpPull } from '../../testbed/http-pull.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunner, freePort, tempDir, testbed, testDocker, uniqueName } from '../../testbed/helpers.js';
import { ensureTlsStandIn, removeStandIn } from '../../testbed/stand-ins.js';
import { readCatalog } from './http.js';

const HOST = 'team-mirror.drpc.test';

describe('an upstream behind a private CA (--upstream-ca)', () => {
  const docker = testDocker();
  let home: string;
  let env: NodeJS.ProcessEnv;
  let ca: string;
  let port: number;
  const name = uniqueName('drpc-ca');
  const run = cliRunner(() => env);
  const settingsFile = () => readFileSync(join(home, 'settings.json'), 'utf8');

  beforeAll(async () => {
    const standIn = await ensureTlsStandIn(docker, HOST);
    ca = standIn.ca;
    home = tempDir('drpc-ca-');
    env = { DRPC_HOME: home, DOCKER_HOST: testbed().dockerHost, PATH: process.env.PATH };
    port = await freePort();
    const saved = await run(
      'down',
      '--name',
      name,
      '--upstream',
      standIn.url,
      '--network',
      testbed().network,
      '--port',
      String(port),
    );
    expect(saved.code, saved.err).toBe(0);
  });

  afterAll(async () => {
    await run('rm');
    await removeStandIn(docker, HOST);
  });

  it('without the CA: serves offline and says the certificate is not trusted and how to fix it', async () => {
    const up = await run('up', '--no-keeper');
    expect(up.code, up.err).toBe(0);
    expect(up.out).toMatch(
      /offline: serving 0 cached repositories \(upstream: its certificate is not trusted \([A-Z_]+\): give the CA that signed it with --upstream-ca FILE\)/,
    );
  });

  it('refuses a CA file that cannot be read or holds no certificate, and saves nothing', async () => {
    const before = settingsFile();
    const notPem = join(tempDir('drpc-ca-bad-'), 'ca.pem');
    writeFileSync(notPem, 'not a certificate\n');
    for (const [file, message] of [
      ['/nonexistent/ca.pem', /^drpc: --upstream-ca: cannot read \/nonexistent\/ca\.pem/],
      [notPem, /^drpc: --upstream-ca: .*ca\.pem holds no PEM certificate/],
      ['relative/ca.pem', /^drpc: --upstream-ca must be an absolute path to a PEM file$/],
    ] as const) {
      const r = await run('up', '--no-keeper', '--upstream-ca', file);
      expect(r.code, file).toBe(2);
      expect(r.err).toMatch(message);
    }
    expect(settingsFile()).toBe(before);
  });

  it('with --upstream-ca: pulls through the upstream, the container trusts the CA, the setting is saved', async () => {
    const up = await run('up', '--no-keeper', '--upstream-ca', ca);
    expect(up.code, up.err).toBe(0);
    expect(up.out).toMatch(
      new RegExp(`^recreated: running.*\\nonline: pulling through from https://${HOST}:5000`, 's'),
    );
    expect(JSON.parse(settingsFile()).mirror.upstreamCaFile).toBe(ca);
    const info = await docker.getContainer(name).inspect();
    expect(info.Config.Env).toContainEqual(
      expect.stringMatching(/^SSL_CERT_DIR=\/etc\/ssl\/certs:\/etc\/.+\/upstream-ca$/),
    );
    await httpPull(`http://127.0.0.1:${port}`, 'library/busybox', 'latest', WAIT_MS);
    await expect.poll(() => readCatalog(`http://127.0.0.1:${port}`)).toContain('library/busybox');
    // Unchanged settings leave it alone; "" takes the CA away again (and the mirror cannot use it).
    expect((await run('up', '--no-keeper')).out).toMatch(/^unchanged: running/);
    const without = await run('up', '--no-keeper', '--upstream-ca', '');
    expect(without.out).toMatch(/its certificate is not trusted/);
    expect(JSON.parse(settingsFile()).mirror.upstreamCaFile).toBeNull();
  });
});
