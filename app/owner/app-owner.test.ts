// The app as the owner, on the real test bed: its core (composeCore in this process, with plain
// adapters, as main/index.ts builds it) holds the lock and serves the owner socket; a `drpc prune` in
// another process goes through it, and the mirror keeps serving through it: the same container, never
// restarted, and no pull of a kept image fails. Then the app takes over from the background keeper
// `drpc up` left, without stopping the mirror.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setMirrors } from '../../testbed/dockerd.js';
import {
  alive,
  pull,
  pullAll,
  tempDir,
  testbed,
  testDocker,
  testMirrorSettings,
} from '../../testbed/helpers.js';
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

  it('runs a CLI prune in another process through the app: the mirror never stops, every pull of a kept image succeeds', async () => {
    const app = await startApp();
    const { status } = await app.mirror.up();
    expect(status.state).toBe('running');
    await setMirrors([status.mirrorUrl]);
    await pullAll(docker, ['library/app-one:latest', 'library/app-two:latest']);
    const before = await docker.getContainer(settings.containerName).inspect();

    const pulls: boolean[] = [];
    let pulling = true;
    const loop = (async () => {
      while (pulling || pulls.length === 0) {
        pulls.push(
          await pullAll(docker, ['library/app-one:latest']).then(
            () => true,
            () => false,
          ),
        );
      }
    })();
    const prune = await execFileP(process.execPath, [DRPC, 'prune', 'library/app-two'], {
      env,
      timeout: 120_000,
    }).finally(() => (pulling = false));
    await loop;

    expect(prune.stderr).toMatch(/sent to the menu-bar app \(pid \d+\)/);
    expect(prune.stdout).toMatch(/^prune \(chosen\):\n {2}library\/app-two/);
    expect(prune.stdout).toMatch(/freed .*\. The mirror kept serving throughout; \d+ blobs? deleted\./);
    console.log(
      `pulls during the CLI prune: ${pulls.filter(Boolean).length} ok, ${pulls.filter((p) => !p).length} failed`,
    );
    expect(pulls.filter((ok) => !ok)).toEqual([]);
    // The same container, never restarted: no stop, no start.
    const after = await docker.getContainer(settings.containerName).inspect();
    expect([after.Id, after.State.StartedAt, after.State.Running]).toEqual([
      before.Id,
      before.State.StartedAt,
      true,
    ]);
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
