// The app as the owner, on the real test bed: its core (composeCore in this process, with plain
// adapters, as main/index.ts builds it) holds the lock and serves the owner socket; a `drpc prune` in
// another process goes through it, so the mirror is started exactly once after garbage collection
// (counted from Docker's events) and no pull of a kept image fails outside the prune window. Then the
// app takes over from the background keeper `drpc up` left, without stopping the mirror.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setMirrors } from '../../testbed/dockerd.js';
import { pull, pullAll, tempDir, testbed, testDocker, testMirrorSettings } from '../../testbed/helpers.js';
import { composeCore, type Core } from '../core/compose.js';
import { settingsFileAt } from '../core/settings.js';
import type { ServiceLogger } from '../service/types.js';
import type { MirrorSettings } from '../mirror/settings.js';
import { probeUpstream } from '../mirror/upstream-probe.js';
import { Mirror } from '../mirror/mirror.js';
import { jsonFileStore } from '../settings/json-file.js';
import { saveMirrorSettings } from '../settings/mirror-settings-store.js';
import { readOwner } from './lock.js';

const execFileP = promisify(execFile);
const DRPC = new URL('../../bin/drpc.js', import.meta.url).pathname;
const quiet: ServiceLogger = { info: () => {}, warn: () => {}, error: () => {} };

interface ContainerEvent {
  Action: string;
  timeNano: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the app owns the mirror', () => {
  const docker = testDocker();
  let settings: MirrorSettings;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let core: Core | undefined;

  /** The app's core as main/index.ts gets it (start() takes the owner lock and opens the socket). */
  async function startApp(): Promise<Core> {
    const none = { configured: false, username: null };
    core = await composeCore({
      settingsFile: settingsFileAt(join(home, 'settings.json')),
      vault: {
        describe: async () => none,
        set: async () => none,
        clear: async () => none,
        reveal: async () => null,
      },
      notify: () => {},
      log: quiet,
      env,
      platform: 'linux',
      // The stand-in Docker Hub by the address this machine reaches it at (the bridge's way too).
      probeUpstream: (url) => probeUpstream(url === testbed().upstreamUrl ? testbed().upstreamHostUrl : url),
    });
    await core.start();
    return core;
  }

  /** The app quitting: the socket closes and the lock is released; the mirror keeps running. */
  async function stopApp(): Promise<void> {
    await core?.dispose();
    core = undefined;
  }

  beforeAll(async () => {
    settings = await testMirrorSettings('drpc-app-owner');
    home = tempDir('drpc-app-owner-home-');
    settings = { ...settings, dataDir: join(home, 'mirror') };
    env = { DRPC_HOME: home, DOCKER_HOST: testbed().dockerHost, PATH: process.env.PATH };
    await saveMirrorSettings(jsonFileStore(join(home, 'settings.json')), settings);
  });

  // A test that failed half-way still lets go of the mirror: the next one starts with no owner.
  afterEach(() => stopApp());

  afterAll(async () => {
    await stopApp();
    const owner = await readOwner(home);
    if (owner && owner.pid !== process.pid) process.kill(owner.pid, 'SIGTERM');
    await new Mirror({ docker, settings }).remove().catch(() => {});
    await setMirrors([]);
  });

  it('runs a CLI prune in another process through the app: one start after GC, kept images pull outside the window', async () => {
    const app = await startApp();
    const { status } = await app.mirror.up();
    expect(status.state).toBe('running');
    await setMirrors([status.mirrorUrl]);
    await pullAll(docker, ['library/app-one:latest', 'library/app-two:latest']);

    const events: ContainerEvent[] = [];
    const stream = (await docker.getEvents({
      filters: { type: ['container'], container: [settings.containerName] },
    })) as NodeJS.ReadableStream & { destroy(): void };
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) events.push(JSON.parse(l) as ContainerEvent);
    });

    const pulls: Array<{ start: number; end: number; ok: boolean }> = [];
    let pulling = true;
    const loop = (async () => {
      while (pulling) {
        const start = Date.now() * 1e6;
        const ok = await pullAll(docker, ['library/app-one:latest']).then(
          () => true,
          () => false,
        );
        pulls.push({ start, end: Date.now() * 1e6, ok });
      }
    })();
    const prune = await execFileP(process.execPath, [DRPC, 'prune', 'library/app-two'], {
      env,
      timeout: 120_000,
    });
    pulling = false;
    await loop;
    // The events of the prune have reached us once the mirror's next start is in the list.
    await expect.poll(() => events.some((e) => e.Action === 'start'), { timeout: 30_000 }).toBe(true);
    stream.destroy();

    expect(prune.stderr).toMatch(/sent to the menu-bar app \(pid \d+\)/);
    expect(prune.stdout).toMatch(/^prune \(chosen\):\n {2}library\/app-two/);
    expect(prune.stdout).toMatch(/freed .*; the mirror was down \d+ ms/);
    // The window opens with the first sign of the stop: Docker's 'kill' (the SIGTERM the registry starts
    // shutting down on) comes before 'die' and 'stop'.
    const stopped = events.find((e) => ['kill', 'die', 'stop'].includes(e.Action))!;
    const starts = events.filter((e) => e.Action === 'start');
    console.log(
      `events during the CLI prune: ${events.map((e) => e.Action).join(', ')}; pulls ${pulls.filter((p) => p.ok).length} ok, ${pulls.filter((p) => !p.ok).length} failed`,
    );
    expect(stopped).toBeDefined();
    expect(starts).toHaveLength(1);
    expect(starts[0]!.timeNano).toBeGreaterThan(stopped.timeNano);
    // The window: from the stop to a moment after the one start (the registry takes a moment to serve).
    const grace = 5_000 * 1e6;
    const outside = pulls.filter(
      (p) => !p.ok && (p.end < stopped.timeNano || p.start > starts[0]!.timeNano + grace),
    );
    expect(outside).toEqual([]);
    expect(pulls.some((p) => p.ok)).toBe(true);
    await pull(docker, 'library/app-one:latest');
    await stopApp();
  });

  it('takes over from the background keeper without stopping the mirror', async () => {
    const up = await execFileP(process.execPath, [DRPC, 'up'], { env, timeout: 120_000 });
    expect(up.stdout).toMatch(/kept in the background/);
    const keeper = (await readOwner(home))!;
    expect(keeper.role).toBe('keeper');
    const before = await docker.getContainer(settings.containerName).inspect();
    expect(before.State.Running).toBe(true);

    await startApp();
    expect(alive(keeper.pid)).toBe(false);
    expect(await readOwner(home)).toMatchObject({ pid: process.pid, role: 'app' });
    const after = await docker.getContainer(settings.containerName).inspect();
    expect(after.Id).toBe(before.Id);
    expect(after.State.StartedAt).toBe(before.State.StartedAt);
    // The CLI now talks to the app.
    const status = await execFileP(process.execPath, [DRPC, 'status'], { env, timeout: 60_000 });
    expect(status.stderr).toMatch(/sent to the menu-bar app/);
    expect(status.stdout).toMatch(/^running: /);
    await stopApp();
  });
});
