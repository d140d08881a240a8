// Global options end to end, as a person runs `drpc` (a child process): before or after the command,
// and a data directory where mkdir cannot make progress refused at once, changing nothing.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, tempDir, testbed, testDocker, uniqueName } from '../../testbed/helpers.js';

const execFileP = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

/** `drpc ARGS` in its own process; killed (and then failing the test) if it has not ended after 60 s. */
async function drpc(env: NodeJS.ProcessEnv, ...argv: string[]) {
  try {
    const r = await execFileP(join(ROOT, 'node_modules', '.bin', 'tsx'), ['app/cli/main.ts', ...argv], {
      cwd: ROOT,
      env,
      timeout: 60_000,
    });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (err) {
    const e = err as { code?: number | string; killed?: boolean; stdout: string; stderr: string };
    return { code: e.killed ? 'killed' : e.code, out: e.stdout, err: e.stderr };
  }
}

describe('drpc global options', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  const name = uniqueName('drpc-glob');

  beforeAll(() => {
    home = tempDir('drpc-glob-');
    env = { DRPC_HOME: home, HOME: home, DOCKER_HOST: testbed().dockerHost, PATH: process.env.PATH };
  });
  afterAll(async () => {
    await testDocker()
      .getContainer(name)
      .remove({ force: true })
      .catch(() => {});
  });

  it('refuses a data directory on a kernel file system with exit 2, saving nothing', async () => {
    const direct = await drpc(env, 'up', '--data-dir', '/proc/x');
    expect(direct.code).toBe(2);
    expect(direct.err).toBe(
      'drpc: --data-dir cannot be under /proc (the kernel’s process table, not a disk): choose a directory you can write to\n',
    );
    // Behind a symlink the path looks fine: mkdir then finds /proc, and must still end.
    const link = join(tempDir(), 'cache');
    symlinkSync('/proc/self', link);
    const hidden = await drpc(env, '--json', 'up', '--data-dir', join(link, 'x'), '--name', name);
    expect(hidden.code).toBe(2);
    expect(JSON.parse(hidden.out).error).toMatchObject({
      code: 'DATA_DIR_UNWRITABLE',
      message: expect.stringMatching(/which cannot be under \/proc/),
    });
    expect(existsSync(join(home, 'settings.json'))).toBe(false);
    expect(await testDocker().listContainers({ all: true, filters: { name: [name] } })).toEqual([]);
  });

  it('takes global options before the command name, --json included', async () => {
    const port = await freePort();
    const settings = [
      ...['--port', String(port), '--name', name, '--upstream', testbed().upstreamUrl],
      ...['--network', testbed().network, '--data-dir', join(home, 'mirror')],
    ];
    const up = await drpc(env, ...settings, '--json', 'up');
    expect(up.code, up.err).toBe(0);
    expect(JSON.parse(up.out)).toMatchObject({ status: { state: 'running' } });
    expect(JSON.parse(readFileSync(join(home, 'settings.json'), 'utf8')).mirror).toMatchObject({
      port,
      containerName: name,
    });
    const status = await drpc(env, '--json', 'status');
    expect(JSON.parse(status.out)).toMatchObject({ state: 'running', mirrorUrl: `http://localhost:${port}` });

    const unknown = await drpc(env, '--prot', '5001', 'up');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toBe(
      'drpc: unknown option --prot for drpc (did you mean --port?); drpc help lists the options\n',
    );
    const rm = await drpc(env, 'rm', '--json');
    expect(JSON.parse(rm.out)).toEqual({ removed: true });
  });
});
