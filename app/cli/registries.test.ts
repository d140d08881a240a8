// A registry besides Docker Hub from the command line, on the test bed: added with a free port, opened
// with the main mirror by `up`, kept by a background keeper of its own (in its own home), cached in its
// own store (ls by registry), its port changed with --registry, stopped with the main mirror by `down`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WAIT_MS } from '../../testbed/deadline.js';
import { alive, cliRunner, freePort, tempDir, testbed, uniqueName } from '../../testbed/helpers.js';
import { httpPull } from '../../testbed/http-pull.js';
import { readOwner } from '../owner/lock.js';

/** Asks the mirror at `port` for an image (manifest, then every blob): it fetches and caches it. */
const pullOverHttp = (port: number, repo: string) =>
  httpPull(`http://127.0.0.1:${port}`, repo, 'latest', WAIT_MS);

describe('drpc registries: a mirror per registry besides Docker Hub', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  const keepers = new Set<number>();
  const name = uniqueName('drpc-reg');
  const run = cliRunner(() => env);

  beforeAll(async () => {
    home = tempDir('drpc-reg-');
    env = { DRPC_HOME: home, DOCKER_HOST: testbed().dockerHost, PATH: process.env.PATH };
    const main = await run(
      'down',
      '--name',
      name,
      '--upstream',
      testbed().upstreamUrl,
      '--network',
      testbed().network,
      '--port',
      String(await freePort()),
    );
    expect(main.code).toBe(0);
  });

  afterAll(async () => {
    for (const pid of keepers) if (alive(pid)) process.kill(pid, 'SIGTERM');
    await run('rm', '--registry', 'ghcr.io');
    await run('rm');
  });

  it('lists none, then adds ghcr.io (the stand-in upstream answering for it) on a free port', async () => {
    expect((await run('registries')).out).toMatch(
      /^no registries besides Docker Hub: drpc registries add HOST/,
    );
    const added = await run('registries', 'add', 'ghcr.io', testbed().upstreamUrl, '--json');
    expect(added.code).toBe(0);
    const mainPort = JSON.parse(readFileSync(join(home, 'settings.json'), 'utf8')).mirror.port as number;
    expect(added.json().registry).toMatchObject({
      host: 'ghcr.io',
      enabled: true,
      upstreamUrl: testbed().upstreamUrl,
    });
    expect(added.json().registry.port).toBeGreaterThan(mainPort);
    const ls = (await run('registries', '--json')).json();
    expect(ls.registries).toEqual([expect.objectContaining({ host: 'ghcr.io', state: 'not created' })]);
  });

  it('refuses what it cannot do, and changes nothing', async () => {
    const before = (await run('registries', '--json')).json();
    for (const [argv, message] of [
      [['registries', 'add', 'docker.io'], /docker.io is Docker Hub/],
      [['registries', 'add', 'ghcr.io'], /already one of the registries/],
      [['registries', 'add', 'not a host'], /registry must be a host name/],
      [['registries', 'add', 'quay.io', '--port', '5999'], /registries takes no mirror settings/],
      [['registries', 'frob'], /use ls, add, rm, enable or disable/],
      [['ls', '--registry', 'quay.io'], /quay.io is not one of the registries: drpc registries add quay.io/],
      [['up', '--registry', 'ghcr.io', '--image', 'registry:2'], /--image: every mirror shares this setting/],
    ] as const) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toMatch(message);
    }
    expect((await run('registries', '--json')).json()).toEqual(before);
  });

  it('up opens Docker Hub’s mirror and every enabled registry’s; each caches in its own store', async () => {
    const up = await run('up', '--no-keeper', '--json');
    expect(up.code).toBe(0);
    const result = up.json();
    expect(result.status.state).toBe('running');
    expect(result.registries).toEqual([
      expect.objectContaining({
        registry: 'ghcr.io',
        exitCode: 0,
        result: expect.objectContaining({ action: 'created' }),
      }),
    ]);
    const port = (await run('registries', '--json')).json().registries[0].port as number;
    await pullOverHttp(port, 'library/busybox');
    const ls = async (...more: string[]) => (await run('ls', '--json', ...more)).json();
    await expect
      .poll(async () => (await ls('--registry', 'ghcr.io')).map((r: { name: string }) => r.name))
      .toContain('library/busybox');
    expect(await ls()).toEqual([]);
  });

  it('--registry changes that registry’s port, kept by a keeper in its own home; down stops both mirrors and keepers', async () => {
    const newPort = await freePort();
    const up = await run('up', '--registry', 'ghcr.io', '--port', String(newPort));
    expect(up.code, up.err).toBe(0);
    expect(up.out).toMatch(/^recreated: running/);
    expect(up.out).toMatch(/kept in the background \(pid \d+/);
    const regHome = join(home, 'registries', 'ghcr.io');
    const keeper = await readOwner(regHome);
    expect(keeper?.role).toBe('keeper');
    keepers.add(keeper!.pid);
    // Docker Hub's mirror has no owner: the keeper keeps only its registry.
    expect(await readOwner(home)).toBeUndefined();
    expect((await run('registries', '--json')).json().registries[0]).toMatchObject({
      port: newPort,
      state: 'running',
    });
    // A status for the registry goes to its keeper, which answers about its own container.
    const status = await run('status', '--registry', 'ghcr.io', '--json');
    expect(status.json()).toMatchObject({ state: 'running', mirrorUrl: `http://localhost:${newPort}` });
    // The cache stayed where it was: nothing is fetched again.
    await pullOverHttp(newPort, 'library/busybox');

    const down = await run('down', '--json');
    expect(down.code).toBe(0);
    expect(down.json().registries).toEqual([expect.objectContaining({ registry: 'ghcr.io', exitCode: 0 })]);
    await expect.poll(() => alive(keeper!.pid)).toBe(false);
    expect((await run('registries', '--json')).json().registries[0].state).toBe('stopped');
  });

  it('removes a registry only once its container is gone; its cache stays on disk', async () => {
    const early = await run('registries', 'rm', 'ghcr.io');
    expect(early.code).toBe(2);
    expect(early.err).toMatch(/drpc rm --registry ghcr.io first/);
    expect((await run('rm', '--registry', 'ghcr.io')).code).toBe(0);
    const rm = await run('registries', 'rm', 'ghcr.io', '--json');
    expect(rm.code).toBe(0);
    expect(
      existsSync(
        join(rm.json().dataDir, 'data', 'docker', 'registry', 'v2', 'repositories', 'library', 'busybox'),
      ),
    ).toBe(true);
    expect((await run('registries', '--json')).json().registries).toEqual([]);
  });
});
