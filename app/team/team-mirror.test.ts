// Laptop -> team mirror -> Docker Hub on the test bed, with real components: two registry 3 replicas
// running the config.yml `drpc team manifests` renders (TLS from the test bed's CA, htpasswd, one shared
// store, Debian's redis-server as their blob-descriptor cache; testbed/team.ts), two laptops simulated
// as two local mirrors (two homes, two ports) chained to it with --upstream-ca and the account.
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describeOnRegistry3,
  freePort,
  tempDir,
  testbed,
  testDocker,
  uniqueName,
} from '../../testbed/helpers.js';
import { startTeamMirror, stopTeamMirror, type TeamMirror } from '../../testbed/team.js';
import { upstreamRequests } from '../../testbed/upstream.js';
import { runCli } from '../cli/run.js';

/** A laptop: its own home and mirror, the team mirror as its upstream. */
function laptop(team: () => TeamMirror, password?: string) {
  const home = tempDir('drpc-laptop-');
  const name = uniqueName('drpc-laptop');
  let port = 0;
  const env = () => ({
    DRPC_HOME: home,
    DOCKER_HOST: testbed().dockerHost,
    PATH: process.env.PATH,
    DRPC_UPSTREAM_USERNAME: team().username,
    DRPC_UPSTREAM_PASSWORD: password ?? team().password,
  });
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env: env() });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  return {
    run,
    get port() {
      return port;
    },
    async up() {
      port = await freePort();
      return run(
        'up',
        '--no-keeper',
        '--name',
        name,
        '--upstream',
        team().url,
        '--upstream-ca',
        team().ca,
        '--network',
        testbed().network,
        '--port',
        String(port),
      );
    },
    /** Asks its mirror for busybox (manifest, then layers); the status of each answer. */
    async pull(repo = 'library/busybox'): Promise<number[]> {
      const base = `http://127.0.0.1:${port}/v2/${repo}`;
      const res = await fetch(`${base}/manifests/latest`, {
        headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
      });
      if (res.status !== 200) return [res.status];
      const manifest = (await res.json()) as { layers: Array<{ digest: string }> };
      const statuses = [res.status];
      for (const layer of manifest.layers) {
        const blob = await fetch(`${base}/blobs/${layer.digest}`);
        statuses.push(blob.status);
        await blob.arrayBuffer();
      }
      return statuses;
    },
  };
}

const NAME = 'a team mirror (two replicas, shared store, redis) between laptops and Docker Hub';
describeOnRegistry3(NAME, () => {
  const docker = testDocker();
  let team: TeamMirror;
  const a = laptop(() => team);
  const b = laptop(() => team);
  const wrong = laptop(() => team, 'not-the-password');
  const hubBlobGets = async () =>
    (await upstreamRequests(docker)).filter((r) => r.method === 'GET' && r.path.includes('/blobs/')).length;

  beforeAll(async () => {
    team = await startTeamMirror(docker, testbed().mirrorImage);
  });
  afterAll(async () => {
    for (const l of [a, b, wrong]) await l.run('rm');
    if (team) await stopTeamMirror(docker, team);
  });

  it('laptop A pulls through the team mirror: Docker Hub sees each blob fetched', async () => {
    const up = await a.up();
    expect(up.code, up.err).toBe(0);
    expect(up.out).toMatch(new RegExp(`online: pulling through from ${team.url}`));
    const before = await hubBlobGets();
    expect(await a.pull()).toEqual([200, 200]);
    expect(await hubBlobGets()).toBeGreaterThan(before);
  });

  it('laptop B, with replica 1 killed, gets the same image from replica 2 with nothing fetched from Docker Hub', async () => {
    // Wait until Docker Hub is quiet (the team mirror finished storing what A pulled).
    let seen = -1;
    await expect
      .poll(
        async () => {
          const now = (await upstreamRequests(docker)).length;
          const quiet = now === seen;
          seen = now;
          return quiet;
        },
        { interval: 500 },
      )
      .toBe(true);
    await docker.getContainer(team.replicas[0]!).kill();
    // kill returns once the signal is sent: until the engine has it stopped it is still "running" (the
    // probe, and Docker's DNS, could still pick it).
    await docker.getContainer(team.replicas[0]!).wait();
    const before = (await upstreamRequests(docker)).length;
    const up = await b.up();
    expect(up.code, up.err).toBe(0);
    expect(up.out, up.err).toMatch(/online: pulling through/);
    expect(await b.pull()).toEqual([200, 200]);
    // Nothing fetched: no blob, no manifest GET (what Docker Hub counts as a pull). A proxy asks the
    // upstream whether a tag moved (a manifest HEAD, not counted) and pings /v2/; nothing else.
    const hub = (await upstreamRequests(docker)).slice(before);
    expect(
      hub.filter((r) => !(r.path === '/v2/' || (r.method === 'HEAD' && r.path.includes('/manifests/')))),
      JSON.stringify(hub),
    ).toEqual([]);
    // Served by replica 2, the only one running: its log has the pull.
    const log = (await docker
      .getContainer(team.replicas[1]!)
      .logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    expect(log.toString('latin1')).toMatch(/GET \/v2\/library\/busybox\/manifests\/latest/);
  });

  it('a laptop with the wrong password: says the team mirror refused the account, serves its cache offline', async () => {
    const up = await wrong.up();
    expect(up.code, up.err).toBe(0);
    expect(up.out).toMatch(
      /offline: serving 0 cached repositories \(upstream: it refused the upstream credentials \(401\): check the account/,
    );
    for (const text of [up.out, up.err]) expect(text).not.toContain('not-the-password');
  });
});
