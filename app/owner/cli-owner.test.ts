// How CLI commands meet the lock on the real engine: a second command waits for the first (saying so)
// and never interleaves with it; while the app owns the mirror, a command it cannot take (rm) and a
// second keeper (watch) are refused with the owner named, and nothing changes.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, testbed, testMirrorSettings } from '../../testbed/helpers.js';
import { runCli } from '../cli/run.js';
import { jsonFileStore } from '../settings/json-file.js';
import { saveMirrorSettings } from '../settings/mirror-settings-store.js';
import { readOwner, tryAcquire } from './lock.js';

async function setup() {
  const home = tempDir('drpc-cliowner-');
  const settings = await testMirrorSettings('drpc-cliowner');
  await saveMirrorSettings(jsonFileStore(join(home, 'settings.json')), {
    ...settings,
    dataDir: join(home, 'mirror'),
  });
  const env = { DRPC_HOME: home, DOCKER_HOST: testbed().dockerHost, PATH: process.env.PATH };
  const err: string[] = [];
  const out: string[] = [];
  const run = (...argv: string[]) =>
    runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env, interrupted: Promise.resolve() });
  return { home, run, err, out };
}

describe('CLI commands and the owner lock', () => {
  it('a second command waits for the one holding the lock, says so, and runs after it', async () => {
    const { home, run, err, out } = await setup();
    const first = await tryAcquire(home, { role: 'cli', command: 'prune' });
    expect(first.lock).toBeDefined();
    const second = run('down');
    await expect
      .poll(() => err.join('\n'), { timeout: 30_000 })
      .toMatch(new RegExp(`waiting for drpc prune \\(pid ${process.pid}\\) to finish`));
    expect(out).toEqual([]); // nothing done while the first holds it
    await first.lock!.release();
    expect(await second).toBe(0);
    expect(out).toEqual(['already stopped']);
    expect(await readOwner(home)).toBeUndefined();
  });

  it('while the app owns the mirror, rm and a second keeper are refused, naming the app', async () => {
    const { home, run, err } = await setup();
    const app = await tryAcquire(home, { role: 'app' });
    try {
      expect(await run('rm')).toBe(2);
      expect(err.pop()).toMatch(
        /the menu-bar app \(pid \d+\) keeps the mirror: rm would act behind its back/,
      );
      expect(await run('watch')).toBe(2);
      expect(err.pop()).toMatch(/the menu-bar app \(pid \d+\) already keeps the mirror/);
      expect((await readOwner(home))?.role).toBe('app');
    } finally {
      await app.lock!.release();
    }
  });
});
