// `drpc containerd` as a user runs it, with no Docker engine to ask: the mirror's address is the one
// its settings give; bad input changes nothing.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../testbed/helpers.js';
import { runCli } from '../run.js';

async function drpc(home: string, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const env = { DRPC_HOME: home, HOME: home, DOCKER_HOST: `unix://${join(home, 'no-docker.sock')}` };
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('drpc containerd', () => {
  it('writes docker.io/hosts.toml for the mirror, and --undo removes it', async () => {
    const home = tempDir('drpc-ctrd-home-');
    const dir = tempDir('drpc-ctrd-hosts-');
    const r = await drpc(home, 'containerd', dir, '--port', '5123');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(
      /^created: .*docker\.io\/hosts\.toml\ncontainerd now tries http:\/\/localhost:5123 first/,
    );
    expect(readFileSync(join(dir, 'docker.io', 'hosts.toml'), 'utf8')).toContain(
      '[host."http://localhost:5123"]',
    );
    expect((await drpc(home, 'containerd', dir, '--undo')).out).toMatch(/^removed /);
    expect(existsSync(join(dir, 'docker.io', 'hosts.toml'))).toBe(false);
  });

  it('refuses without a directory, and leaves a hosts.toml it did not write as it is', async () => {
    const home = tempDir('drpc-ctrd-home-');
    const none = await drpc(home, 'containerd');
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/name the hosts directory containerd reads/);
    const dir = tempDir('drpc-ctrd-hosts-');
    mkdirSync(join(dir, 'docker.io'));
    writeFileSync(join(dir, 'docker.io', 'hosts.toml'), 'server = "https://mirror.corp"\n');
    const theirs = await drpc(home, 'containerd', dir);
    expect(theirs.code).not.toBe(0);
    expect(theirs.err).toMatch(/was not written by drpc/);
    expect(readFileSync(join(dir, 'docker.io', 'hosts.toml'), 'utf8')).toBe(
      'server = "https://mirror.corp"\n',
    );
  });
});
