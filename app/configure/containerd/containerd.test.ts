// containerd through the hosts directory drpc writes, on the test bed's real containerd (the one its
// dockerd runs) with Debian's `ctr`: a pull of a Docker Hub image goes through the mirror, and a second
// pull (in a namespace that holds none of it) asks the stand-in Docker Hub for no blob at all.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tempDir, testbed, testDocker, testMirrorSettings, uniqueName } from '../../../testbed/helpers.js';
import { paths } from '../../../testbed/layout.js';
import { upstreamRequests } from '../../../testbed/upstream.js';
import { readCatalog } from '../../mirror/http.js';
import { Mirror } from '../../mirror/mirror.js';
import { writeHostsEntry } from './hosts-dir.js';

const execFileP = promisify(execFile);
const SOCKET = join(paths.execRoot, 'containerd', 'containerd.sock');

describe('containerd pulls through the mirror with the hosts directory drpc writes', () => {
  const docker = testDocker();
  let mirror: Mirror;
  let hostsDir: string;
  const namespaces: string[] = [];
  const ctr = (ns: string, ...args: string[]) =>
    execFileP('ctr', ['--address', SOCKET, '--namespace', ns, ...args], { timeout: 120_000 });

  beforeAll(async () => {
    mirror = new Mirror({ docker, settings: await testMirrorSettings('drpc-containerd') });
    await mirror.up();
    hostsDir = tempDir('drpc-certs.d-');
    await writeHostsEntry(hostsDir, { registry: 'docker.io', mirrorUrl: mirror.mirrorUrl });
  });
  afterAll(async () => {
    for (const ns of namespaces) {
      await ctr(ns, 'images', 'rm', 'docker.io/library/app-one:latest').catch(() => {});
      const { stdout } = await ctr(ns, 'content', 'ls', '-q').catch(() => ({ stdout: '' }));
      const digests = stdout.split('\n').filter(Boolean);
      if (digests.length) await ctr(ns, 'content', 'rm', ...digests).catch(() => {});
      await execFileP('ctr', ['--address', SOCKET, 'namespaces', 'rm', ns]).catch(() => {});
    }
    await mirror.remove().catch(() => {});
  });

  it('pulls docker.io/library/app-one via the mirror; the second pull takes every blob from the cache', async (ctx) => {
    if (testbed().noEngineControl || !existsSync(SOCKET))
      ctx.skip(
        `needs the test bed's own containerd (${SOCKET}); an engine the suite does not own has none here`,
      );
    const pullIn = async () => {
      const ns = uniqueName('drpc-ctr').toLowerCase();
      namespaces.push(ns);
      const before = (await upstreamRequests(docker)).length;
      await ctr(ns, 'images', 'pull', '--hosts-dir', hostsDir, 'docker.io/library/app-one:latest');
      const blobs = (await upstreamRequests(docker))
        .slice(before)
        .filter((r) => r.method === 'GET' && r.path.includes('/blobs/'));
      return blobs.length;
    };
    const cold = await pullIn();
    expect(cold).toBeGreaterThan(0); // the mirror fetched them from the stand-in Docker Hub
    await expect.poll(() => readCatalog(mirror.baseUrl), { timeout: 30_000 }).toContain('library/app-one');
    // Registry 2.8 finishes storing a cold miss (a second fetch of it) after the client has it.
    let seen = -1;
    await vi.waitFor(
      async () => {
        const now = (await upstreamRequests(docker)).length;
        const same = now === seen;
        seen = now;
        expect(same).toBe(true);
      },
      { timeout: 60_000, interval: 500 },
    );
    expect(await pullIn()).toBe(0);
  });
});
