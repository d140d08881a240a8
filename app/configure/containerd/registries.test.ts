// Every registry through its own mirror, with the hosts directory drpc writes, on the test bed's real
// containerd and Debian's ctr: stand-ins answer as docker.io, ghcr.io and quay.io (the names resolve
// only inside the test bed: a network alias for the mirrors, a private /etc/hosts for ctr), each
// registry gets a mirror with `drpc registries`, `drpc clients apply --client hosts-dir` writes the
// hosts files. A pull of each goes through its mirror; the second pull of each asks its upstream for no
// blob; with a mirror stopped, the pull falls back to the registry itself and completes.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cliRunner, freePort, tempDir, testbed, testDocker, uniqueName } from '../../../testbed/helpers.js';
import { paths } from '../../../testbed/layout.js';
import { ensureStandIn, hostsFileFor, removeStandIn, standInRequests } from '../../../testbed/stand-ins.js';
import { upstreamRequests, type UpstreamRequest } from '../../../testbed/upstream.js';
import { demuxLogs } from '../../docker/demux.js';

const execFileP = promisify(execFile);
const SOCKET = join(paths.execRoot, 'containerd', 'containerd.sock');
const REGISTRIES = ['ghcr.io', 'quay.io'] as const;
const blobGets = (rs: UpstreamRequest[]) =>
  rs.filter((r) => r.method === 'GET' && r.path.includes('/blobs/')).length;

const NAME = 'containerd pulls every registry through its own mirror (drpc registries + drpc clients)';
const why =
  inject('testbed')?.noEngineControl ??
  (!existsSync(SOCKET) || process.getuid?.() !== 0
    ? `needs the test bed's own containerd (${SOCKET}) and root for a private /etc/hosts`
    : undefined);
if (why) describe(NAME, () => it('needs the test bed’s containerd', (ctx) => ctx.skip(why)));
else
  describe(NAME, () => {
    const docker = testDocker();
    let home: string;
    let env: NodeJS.ProcessEnv;
    let hostsDir: string;
    let etcHosts: string;
    const mainName = uniqueName('drpc-ctr-reg');
    const namespaces: string[] = [];
    const run = cliRunner(() => env);
    /** ctr in a mount namespace of its own, where /etc/hosts names the stand-ins (root only). */
    const ctr = (ns: string, ...args: string[]) =>
      execFileP(
        'unshare',
        [
          '--mount',
          'sh',
          '-c',
          'mount --bind "$0" /etc/hosts && exec "$@"',
          etcHosts,
          'ctr',
          '--address',
          SOCKET,
          '--namespace',
          ns,
          ...args,
        ],
        { timeout: 120_000 },
      );
    /**
     * Pulls `ref` in a namespace of its own, then deletes it there, so the next pull must fetch every
     * blob again (containerd shares content between namespaces). Returns the blob GETs its upstream
     * and its mirror answered meanwhile.
     */
    const pullIn = async (ref: string, registry: string) => {
      const ns = uniqueName('drpc-ctr').toLowerCase();
      namespaces.push(ns);
      const upstream = upstreamOf(registry);
      const before = (await upstream()).length;
      const mirrorBefore = (await mirrorRequests(registry)).length;
      await ctr(ns, 'images', 'pull', '--hosts-dir', hostsDir, ref);
      const counts = {
        upstream: blobGets((await upstream()).slice(before)),
        mirror: blobGets((await mirrorRequests(registry)).slice(mirrorBefore)),
      };
      await forget(ns);
      return counts;
    };
    /** Removes a namespace's images and content, and the namespace. */
    const forget = async (ns: string) => {
      const { stdout } = await ctr(ns, 'images', 'ls', '-q').catch(() => ({ stdout: '' }));
      const images = stdout.split('\n').filter(Boolean);
      if (images.length) await ctr(ns, 'images', 'rm', '--sync', ...images).catch(() => {});
      const content = await ctr(ns, 'content', 'ls', '-q').catch(() => ({ stdout: '' }));
      const digests = content.stdout.split('\n').filter(Boolean);
      if (digests.length) await ctr(ns, 'content', 'rm', ...digests).catch(() => {});
      await execFileP('ctr', ['--address', SOCKET, 'namespaces', 'rm', ns]).catch(() => {});
    };
    const upstreamOf = (registry: string) =>
      registry === 'docker.io' ? () => upstreamRequests(docker) : () => standInRequests(docker, registry);
    /** What a registry's mirror answered, from its container's access log. */
    const mirrorRequests = async (registry: string): Promise<UpstreamRequest[]> => {
      const container = registry === 'docker.io' ? mainName : `${mainName}-${registry}`;
      const buf = (await docker
        .getContainer(container)
        .logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
      return [...demuxLogs(buf).matchAll(/"(GET|HEAD) (\S+) HTTP\/[\d.]+" (\d{3})/g)].map((m) => ({
        method: m[1]!,
        path: m[2]!,
        status: Number(m[3]),
      }));
    };

    beforeAll(async () => {
      home = tempDir('drpc-ctr-reg-');
      env = { DRPC_HOME: home, DOCKER_HOST: testbed().dockerHost, PATH: process.env.PATH };
      for (const r of REGISTRIES) await ensureStandIn(docker, r);
      const saved = await run(
        'down',
        '--name',
        mainName,
        '--upstream',
        testbed().upstreamUrl,
        '--network',
        testbed().network,
        '--port',
        String(await freePort()),
      );
      expect(saved.code, saved.err).toBe(0);
      for (const r of REGISTRIES)
        expect((await run('registries', 'add', r, `http://${r}:5000`)).code).toBe(0);
      const up = await run('up', '--no-keeper');
      expect(up.code, up.err).toBe(0);
      // Each proxies its registry (its stand-in answered the probe), none went offline.
      expect(up.out).not.toMatch(/offline/);
      hostsDir = tempDir('drpc-certs.d-');
      const applied = await run('clients', 'apply', '--client', 'hosts-dir', '--dir', hostsDir);
      expect(applied.code, applied.err).toBe(0);
      etcHosts = join(tempDir('drpc-etc-'), 'hosts');
      await hostsFileFor(docker, [...REGISTRIES], etcHosts);
    });

    afterAll(async () => {
      for (const ns of namespaces) await forget(ns);
      if (env) {
        for (const r of REGISTRIES) await run('rm', '--registry', r);
        await run('rm');
      }
      for (const r of REGISTRIES) await removeStandIn(docker, r);
    });

    it('wrote one hosts.toml per registry: its mirror first, the registry itself as the fallback', () => {
      for (const r of ['docker.io', ...REGISTRIES]) {
        const text = readFileSync(join(hostsDir, r, 'hosts.toml'), 'utf8');
        expect(text).toMatch(/^\[host\."http:\/\/localhost:\d+"\]$/m);
        expect(text).toContain(
          r === 'docker.io' ? `server = "${testbed().upstreamUrl}"` : `server = "http://${r}:5000"`,
        );
      }
    });

    it.each([
      ['docker.io', 'docker.io/library/app-two:latest'],
      ['ghcr.io', 'ghcr.io/library/busybox:latest'],
      ['quay.io', 'quay.io/library/app-one:latest'],
    ])(
      '%s: the first pull goes through its mirror, the second is served by it with no blob from upstream',
      async (registry, ref) => {
        const first = await pullIn(ref, registry);
        expect(first.mirror).toBeGreaterThan(0);
        expect(first.upstream).toBeGreaterThan(0);
        // ...and that registry's mirror cached it in its own store.
        const repo = ref.slice(ref.indexOf('/') + 1, ref.lastIndexOf(':'));
        const cached = async () => {
          const r = await run('ls', '--json', ...(registry === 'docker.io' ? [] : ['--registry', registry]));
          return (JSON.parse(r.out) as Array<{ name: string }>).map((x) => x.name);
        };
        await expect.poll(cached).toContain(repo);
        // 2.8 stores a cold miss with a second fetch after the client has it: wait until the upstream is quiet.
        let seen = -1;
        await expect
          .poll(
            async () => {
              const now = (await upstreamOf(registry)()).length;
              const quiet = now === seen;
              seen = now;
              return quiet;
            },
            { interval: 500 },
          )
          .toBe(true);
        const second = await pullIn(ref, registry);
        expect(second.mirror).toBeGreaterThan(0);
        expect(second.upstream).toBe(0);
      },
    );

    it('with a registry’s mirror stopped, its pull falls back to the registry itself and completes', async () => {
      expect((await run('down', '--registry', 'ghcr.io')).code).toBe(0);
      // twotags:v1 was never pulled through ghcr.io's mirror: every blob comes from ghcr.io itself.
      const fallback = await pullIn('ghcr.io/library/twotags:v1', 'ghcr.io');
      expect(fallback).toEqual({ upstream: expect.any(Number), mirror: 0 });
      expect(fallback.upstream).toBeGreaterThan(0);
    });
  });
