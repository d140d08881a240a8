// The cache commands on the real test bed: ls, du, stats after cold and warm pulls, pull tracking,
// retention by last pull (a set clock), prune --dry-run, reset with and without its confirmation.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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
import { runCli } from '../cli/run.js';
import { readCatalog } from '../mirror/http.js';
import { Mirror } from '../mirror/mirror.js';
import { defaultMirrorSettings } from '../mirror/settings.js';
import { CacheService } from './service.js';

/**
 * Reads until two reads a moment apart agree on the counters, which the registry updates in the
 * background (`since` moves with every read, so it is left out); fails if they never settle.
 */
async function settled<T extends { blobs: unknown; manifests: unknown }>(read: () => Promise<T>): Promise<T> {
  const counters = (v: T) => JSON.stringify([v.blobs, v.manifests]);
  let last = await read();
  return vi.waitFor(
    async () => {
      const next = await read();
      const same = counters(next) === counters(last);
      last = next;
      if (!same) throw new Error(`the counters still change: ${counters(next)}`);
      return next;
    },
    { timeout: 60_000, interval: 250 },
  );
}

describe('cache commands', () => {
  const docker = testDocker();
  let home: string;
  let env: NodeJS.ProcessEnv;
  let port: number;
  const name = uniqueName('drpc-cache');
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env });
    return { code, out: out.join('\n'), err: err.join('\n'), json: () => JSON.parse(out.join('\n')) };
  };
  const mirror = () =>
    new Mirror({
      docker,
      settings: {
        ...defaultMirrorSettings(env),
        port,
        containerName: name,
        upstreamUrl: testbed().upstreamUrl,
        network: testbed().network,
      },
    });

  beforeAll(async () => {
    home = tempDir('drpc-cachecli-');
    port = await freePort();
    env = { DRPC_HOME: home, DOCKER_HOST: testbed().dockerHost, PATH: process.env.PATH };
    const up = await run(
      'up',
      '--json',
      '--name',
      name,
      '--port',
      String(port),
      '--upstream',
      testbed().upstreamUrl,
      '--network',
      testbed().network,
    );
    expect(up.code).toBe(0);
    await setMirrors([`http://localhost:${port}`]);
  });
  afterAll(async () => {
    await setMirrors([]);
    await run('rm');
  });

  it('says nothing is cached yet', async () => {
    expect((await run('ls')).out).toBe('nothing cached yet');
    expect((await run('stats', '--json')).json().hitRatio).toBeNull();
  });

  it('counts pulls by tag and by digest, and statistics see one miss set and one hit set', async () => {
    await removeImagesExceptRegistry(docker);
    await pull(docker, 'library/busybox:latest'); // cold: every blob is a miss
    // 2.8 counts a miss when its background copy into the cache finishes, just after the pull.
    const afterCold = await settled(async () => (await run('stats', '--json')).json());
    expect(afterCold.blobs.misses).toBeGreaterThan(0);
    expect(afterCold.blobs.hits).toBe(0);
    await removeImagesExceptRegistry(docker);
    await pull(docker, 'library/busybox:latest'); // warm: every blob is a hit
    const afterWarm = await settled(async () => (await run('stats', '--json')).json());
    expect(afterWarm.blobs.misses).toBe(afterCold.blobs.misses);
    expect(afterWarm.blobs.hits).toBe(afterCold.blobs.misses);
    expect(afterWarm.bytesSaved).toBe(afterCold.bytesFromUpstream);
    expect(afterWarm.hitRatio).toBeCloseTo(0.5);
    expect((await run('stats')).out).toMatch(/hit ratio: 50\.0 %/);

    const digest = (await run('ls', '--json')).json()[0].tags[0].digest as string;
    // A client pulling by digest (containerd, crane, a CI runner): dockerd itself would answer from its
    // own content store here, since it saw this manifest a moment ago.
    const byDigest = await fetch(`http://127.0.0.1:${port}/v2/library/busybox/manifests/${digest}`, {
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json', 'user-agent': 'crane/0.20' },
    });
    expect(byDigest.status).toBe(200);
    await byDigest.arrayBuffer();
    const [busybox] = (await run('ls', '--json')).json();
    expect(busybox, JSON.stringify(busybox)).toMatchObject({
      name: 'library/busybox',
      pulls: 3,
      digestPulls: 1,
      tags: [{ name: 'latest', pulls: 2, digest }],
    });
    expect(busybox.lastPull).toBeGreaterThan(Date.now() - 60_000);
    // The counters survive a restart of the registry (its own counters start again at zero).
    const beforeRestart = await settled(async () => (await run('stats', '--json')).json());
    await run('restart');
    expect((await run('stats', '--json')).json()).toMatchObject({
      blobs: beforeRestart.blobs,
      manifests: beforeRestart.manifests,
    });
    await removeImagesExceptRegistry(docker);
  });

  it('chooses by last pull for "not pulled for N days" and "shrink to", with the clock set', async () => {
    await pull(docker, 'library/app-one:latest');
    await removeImagesExceptRegistry(docker);
    await pull(docker, 'library/app-two:latest');
    await removeImagesExceptRegistry(docker);
    const svc = new CacheService({
      docker,
      mirror: mirror(),
      stateDir: home,
      now: () => Date.now() + 10 * 86_400_000,
    });
    // Nothing was pulled in the last 10 "days" from that clock's point of view, busybox included.
    const all = await svc.plan({ kind: 'unused', days: 5 });
    expect(all.repositories.sort()).toEqual(['library/app-one', 'library/app-two', 'library/busybox']);
    const none = await svc.plan({ kind: 'unused', days: 30 });
    expect(none.repositories).toEqual([]);

    // Pull order: busybox (previous test), app-one, app-two. Least recently pulled goes first.
    const scan = await svc.scan();
    const size = scan.blobBytes - scan.orphans.bytes;
    const exclusive = (n: string) => scan.repositories.find((r) => r.name === n)!.exclusiveBytes;
    const firstOnly = await svc.plan({
      kind: 'shrink',
      targetBytes: size - exclusive('library/busybox') + 1,
    });
    expect(firstOnly.repositories).toEqual(['library/busybox']);
    expect(firstOnly.bytes).toBe(exclusive('library/busybox'));
    const two = await svc.plan({ kind: 'shrink', targetBytes: size - exclusive('library/busybox') - 1 });
    expect(two.repositories).toEqual(['library/busybox', 'library/app-one']);

    const dry = await run(
      'prune',
      '--json',
      '--dry-run',
      '--shrink-to',
      String(size - exclusive('library/busybox') + 1),
    );
    expect(dry.code).toBe(0);
    expect(dry.json()).toMatchObject({ executed: false, plan: { repositories: ['library/busybox'] } });
    expect(await readCatalog(mirror().baseUrl)).toContain('library/busybox');
  });

  it('shows disk usage, prunes by name and reports freed against the preview', async () => {
    const du = await run('du', '--json');
    expect(du.json().totals.repositories).toBe(3);
    expect(du.json().volume.freeBytes).toBeGreaterThan(0);
    const human = await run('du');
    expect(human.out).toMatch(/^cache: .* in 3 repositories, 3 tags/);
    const pruned = await run('prune', '--json', 'library/app-two:latest');
    expect(pruned.code).toBe(0);
    const { plan, result } = pruned.json();
    expect(result.freedBytes).toBe(plan.bytes + plan.orphanBytes);
    expect((await run('ls', '--json')).json().map((r: { name: string }) => r.name)).not.toContain(
      'library/app-two',
    );
  });

  it('refuses a reset without its confirmation, and resets to an empty running mirror with it', async () => {
    const before = await readCatalog(mirror().baseUrl);
    expect(before.length).toBeGreaterThan(0);
    const refused = await run('reset', '--confirm', 'yes');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/confirm with "delete the cache"/);
    expect(await readCatalog(mirror().baseUrl)).toEqual(before);
    const done = await run('reset', '--json', '--confirm', 'delete the cache');
    expect(done.code).toBe(0);
    expect(done.json()).toMatchObject({ repositoriesRemoved: before.length, status: { state: 'running' } });
    expect(await readCatalog(mirror().baseUrl)).toEqual([]);
  });
});
