// `drpc clients` as a user runs it, with no Docker engine to ask: the mirror's address is the one its
// settings give unless --mirrors names them; bad input changes nothing.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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

describe('drpc clients', () => {
  it('previews, applies, verifies and undoes a BuildKit file, from a later run with no mirror flags', async () => {
    const home = tempDir('drpc-clients-home-');
    const file = join(tempDir('drpc-clients-'), 'buildkitd.toml');
    const mine = '# my builder\ndebug = true\n';
    writeFileSync(file, mine);
    const preview = await drpc(
      home,
      'clients',
      'preview',
      '--client',
      'buildkit',
      '--file',
      file,
      '--port',
      '5123',
    );
    expect(preview.code, preview.err).toBe(0);
    expect(preview.out).toContain(
      `would be updated: ${file}\n# my builder\ndebug = true\n\n[registry."docker.io"]\n  mirrors = ["localhost:5123"]`,
    );
    expect(readFileSync(file, 'utf8')).toBe(mine);

    const apply = await drpc(
      home,
      'clients',
      'apply',
      '--client',
      'buildkit',
      '--file',
      file,
      '--port',
      '5123',
    );
    expect(apply.code, apply.err).toBe(0);
    expect(apply.out).toBe(`updated: ${file}\nverified: every mirror entry is there`);
    expect(
      (await drpc(home, 'clients', 'verify', '--client', 'buildkit', '--file', file, '--port', '5123')).code,
    ).toBe(0);

    const undo = await drpc(home, 'clients', 'undo', '--client', 'buildkit', '--file', file);
    expect(undo.out).toBe(`restored: ${file}`);
    expect(readFileSync(file, 'utf8')).toBe(mine);
    const verify = await drpc(
      home,
      'clients',
      'verify',
      '--client',
      'buildkit',
      '--file',
      file,
      '--port',
      '5123',
    );
    expect(verify.code).toBe(6);
    expect(verify.out).toMatch(/missing\n {2}\[registry\."docker\.io"\] mirrors lacks "localhost:5123"/);
  });

  it('takes several registries with --mirrors and writes the hosts directory', async () => {
    const home = tempDir('drpc-clients-home-');
    const dir = tempDir('drpc-clients-hosts-');
    const r = await drpc(
      home,
      'clients',
      'apply',
      '--client',
      'hosts-dir',
      '--dir',
      dir,
      '--mirrors',
      'docker.io=http://localhost:5000,ghcr.io=http://localhost:5001',
    );
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(join(dir, 'ghcr.io', 'hosts.toml'), 'utf8')).toContain(
      '[host."http://localhost:5001"]',
    );
    expect((await drpc(home, 'clients', 'undo', '--client', 'hosts-dir', '--dir', dir)).out).toMatch(
      /^removed: .*docker\.io\/hosts\.toml\nremoved: .*ghcr\.io\/hosts\.toml$/,
    );
  });

  it('refuses bad input with exit code 2 and changes nothing', async () => {
    const home = tempDir('drpc-clients-home-');
    const dir = tempDir('drpc-clients-');
    const file = join(dir, 'kind.yaml');
    const cases: [string[], RegExp][] = [
      [['clients'], /say what to do: drpc clients preview\|apply\|verify\|undo/],
      [
        ['clients', 'apply', '--client', 'docker'],
        /--client must be one of hosts-dir, buildkit, podman, k3d, kind/,
      ],
      [
        ['clients', 'apply', '--client', 'kind', '--file', file],
        /kind nodes are containers: http:\/\/localhost:5000 there means the node itself/,
      ],
      [
        ['clients', 'apply', '--client', 'podman', '--file', file, '--mirrors', 'docker.io'],
        /REGISTRY=URL pairs/,
      ],
      [
        ['clients', 'apply', '--client', 'podman', '--file', file, '--mirrors', 'Docker.io=http://x:1'],
        /is not a registry host name/,
      ],
      [['clients', 'undo', '--client', 'podman', '--file', file], /nothing to undo/],
    ];
    for (const [argv, message] of cases) {
      const r = await drpc(home, ...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toMatch(message);
    }
    expect(existsSync(file)).toBe(false);
  });
});
