// The mirror as the command line opens and keeps it, on the real test bed: `npm start` with the upstream
// stopped serves offline (every cached image, two sharing a base layer, both platforms of a multi-platform
// index) and the background keeper goes back to proxy when the upstream returns; after `up` returns, the
// keeper switches offline by itself; prune and reset while offline come back offline (through the keeper,
// and without one); `down` leaves no keeper process.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { directMirror, setMirrors } from '../../testbed/dockerd.js';
import { refThroughMirror } from '../../testbed/suite-images.js';
import {
  pull,
  pullAll,
  removeImagesExceptRegistry,
  tempDir,
  testDocker,
  testMirrorSettings,
} from '../../testbed/helpers.js';
import { startUpstream, stopUpstream } from '../../testbed/upstream.js';
import { runCli } from '../cli/run.js';
import { LABELS } from '../mirror/container-spec.js';
import { Mirror } from '../mirror/mirror.js';
import type { MirrorSettings } from '../mirror/settings.js';
import { jsonFileStore } from '../settings/json-file.js';
import { saveMirrorSettings } from '../settings/mirror-settings-store.js';
import { readOwner } from './lock.js';
import { alive, testbed } from '../../testbed/helpers.js';

const execFileP = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const CACHED = [
  'library/app-one:latest',
  'library/app-two:latest',
  'library/busybox:latest',
  'library/multi:latest',
];

/** docker pull of one platform of a multi-platform image. */
async function pullPlatform(docker: Docker, ref: string, platform: string): Promise<void> {
  const stream = await docker.pull(refThroughMirror(ref, directMirror), { platform });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, events: Array<{ error?: string }>) => {
      const failed = events?.find((e) => e.error);
      if (err || failed) reject(err ?? new Error(failed!.error));
      else resolve();
    }),
  );
}

/** Every cached image, both platforms of library/multi included, each pulled with no local copy. */
async function pullEveryCached(docker: Docker): Promise<number[]> {
  const times = await pullAll(docker, CACHED);
  const t0 = Date.now();
  await pullPlatform(docker, 'library/multi:latest', 'linux/arm64');
  times.push(Date.now() - t0);
  await removeImagesExceptRegistry(docker);
  return times;
}

/** Retries fn (a pull that may fail while the mirror switches) until it succeeds; returns how long it took. */
async function until(fn: () => Promise<unknown>, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  await vi.waitFor(fn, { timeout: timeoutMs, interval: 250 });
  return Date.now() - t0;
}

describe('the mirror opened and kept from the command line', () => {
  const docker = testDocker();
  let settings: MirrorSettings;
  let home: string;
  let env: NodeJS.ProcessEnv;
  const keepers = new Set<number>();
  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const modeLabel = async () =>
    (await docker.getContainer(settings.containerName).inspect()).Config.Labels?.[LABELS.mode];

  beforeAll(async () => {
    settings = await testMirrorSettings('drpc-kept');
    home = tempDir('drpc-kept-home-');
    settings = { ...settings, dataDir: join(home, 'mirror') };
    env = { DRPC_HOME: home, DOCKER_HOST: testbed().dockerHost, PATH: process.env.PATH };
    await saveMirrorSettings(jsonFileStore(join(home, 'settings.json')), settings);
    // A cache with what a user pulled before the flight; then no container at all.
    const proxy = new Mirror({ docker, settings });
    await proxy.up();
    await setMirrors([proxy.mirrorUrl]);
    await pullEveryCached(docker);
    await proxy.remove();
  });

  afterAll(async () => {
    await startUpstream(docker);
    for (const pid of keepers) if (alive(pid)) process.kill(pid, 'SIGTERM');
    await new Mirror({ docker, settings }).remove().catch(() => {});
    await setMirrors([]);
  });

  it('npm start with the upstream stopped serves every cached image offline, and pulls through once it is back', async () => {
    await stopUpstream(docker);
    const t0 = Date.now();
    const started = await execFileP('bash', [join(ROOT, 'scripts/start.sh')], {
      env: { ...process.env, ...env },
      timeout: 120_000,
    });
    const ms = Date.now() - t0;
    console.log(`npm start with the upstream stopped: exit 0 after ${ms} ms`);
    expect(started.stdout).toMatch(/^created: running: offline: serving 4 cached repositories/m);
    expect(started.stdout).toMatch(/kept in the background \(pid \d+/);
    const keeper = await readOwner(home);
    expect(keeper?.role).toBe('keeper');
    keepers.add(keeper!.pid);
    expect(await modeLabel()).toBe('offline');

    const times = await pullEveryCached(docker);
    console.log(`offline pulls after npm start (upstream stopped): ${times.join(', ')} ms`);
    const status = await cli('status');
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/^running: offline: serving 4 cached repositories/);
    expect(status.out).not.toMatch(/settings changed/);

    await startUpstream(docker);
    const back = await until(() => pullAll(docker, ['library/twotags:v1']), 120_000);
    console.log(`upstream back: a new image pulled through after ${back} ms`);
    expect(await modeLabel()).toBe('proxy');
  });

  it('after up returns the keeper goes offline by itself; prune and reset while offline come back offline; down leaves no keeper', async () => {
    const up = await cli('up');
    expect(up.code, up.err).toBe(0);
    const keeper = (await readOwner(home))!;
    expect(keeper.role).toBe('keeper');
    keepers.add(keeper.pid);

    await stopUpstream(docker);
    const offlineAfter = await until(() => pullAll(docker, ['library/app-one:latest']), 60_000);
    const times = await pullEveryCached(docker);
    console.log(
      `upstream stopped after up: cached pulls work after ${offlineAfter} ms; then ${times.join(', ')} ms`,
    );
    expect(await modeLabel()).toBe('offline');

    // Through the keeper: it stops the mirror, collects, and starts it again in the mode it keeps.
    const prune = await cli('prune', 'library/busybox');
    expect(prune.code, prune.err).toBe(0);
    expect(prune.err).toMatch(/sent to the background keeper/);
    expect(await modeLabel()).toBe('offline');
    await pullAll(docker, ['library/app-one:latest', 'library/app-two:latest']);

    const reset = await cli('reset', '--confirm', 'delete the cache');
    expect(reset.code, reset.err).toBe(0);
    expect(reset.out).toMatch(/the mirror is running/);
    expect(await modeLabel()).toBe('offline');

    const down = await cli('down');
    expect(down.code).toBe(0);
    expect(alive(keeper.pid)).toBe(false);
    expect(await readOwner(home)).toBeUndefined();

    // With no owner at all, the command runs alone under the lock, and offline stays offline too.
    const alone = await cli('up', '--no-keeper');
    expect(alone.code, alone.err).toBe(0);
    expect(alone.out).toMatch(/offline: serving 0 cached repositories/);
    expect(await readOwner(home)).toBeUndefined();
    // Read by the CLI itself: judged against the offline configuration, so no "settings changed".
    const statusAlone = await cli('status');
    expect(statusAlone.out).toMatch(/^running: offline: serving 0 cached repositories without the upstream/);
    expect(statusAlone.out).not.toMatch(/settings changed/);
    const resetAlone = await cli('reset', '--confirm', 'delete the cache');
    expect(resetAlone.code, resetAlone.err).toBe(0);
    expect(await modeLabel()).toBe('offline');
    expect(await pull(docker, 'library/app-one:latest').catch(() => 'not cached')).toBe('not cached');
  });
});
