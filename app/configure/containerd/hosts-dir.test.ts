import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../testbed/helpers.js';
import {
  hostsToml,
  OURS,
  previewHostsDir,
  removeHostsDir,
  removeHostsEntry,
  verifyHostsDir,
  writeHostsDir,
  writeHostsEntry,
} from './hosts-dir.js';

describe('hosts.toml', () => {
  it('sends pulls of a registry to the mirror first, then to its server', () => {
    expect(hostsToml({ registry: 'docker.io', mirrorUrl: 'http://localhost:5000/' })).toBe(
      [
        OURS,
        '# Pulls of docker.io try the local mirror first, then https://registry-1.docker.io.',
        'server = "https://registry-1.docker.io"',
        '',
        '[host."http://localhost:5000"]',
        '  capabilities = ["pull", "resolve"]',
        '  dial_timeout = "1s"',
        '',
      ].join('\n'),
    );
    expect(hostsToml({ registry: 'ghcr.io', mirrorUrl: 'http://127.0.0.1:5001' })).toContain(
      'server = "https://ghcr.io"',
    );
  });

  it("falls back to the mirror's upstream when it is given, scheme and host only", () => {
    const text = hostsToml({
      registry: 'ghcr.io',
      mirrorUrl: 'http://localhost:5001',
      server: 'https://ghcr.example.com:8443/',
    });
    expect(text).toContain('server = "https://ghcr.example.com:8443"');
    expect(text).toContain('then https://ghcr.example.com:8443.');
    for (const server of ['ftp://x', 'not a url', 'https://user:pw@ghcr.io'])
      expect(
        () => hostsToml({ registry: 'ghcr.io', mirrorUrl: 'http://localhost:5001', server }),
        server,
      ).toThrow(/registry must be an http or https URL|is not a URL/);
  });

  it('refuses a registry that is not a host name, and a mirror that is not http(s)', () => {
    for (const registry of ['../etc', 'Docker.io', 'a b', '', 'x/y'])
      expect(() => hostsToml({ registry, mirrorUrl: 'http://localhost:5000' }), registry).toThrow(
        /is not a registry host name/,
      );
    expect(() => hostsToml({ registry: 'docker.io', mirrorUrl: 'ftp://localhost' })).toThrow(/http or https/);
  });

  it('writes its own file whole, again as unchanged, and undo removes only it', async () => {
    const dir = tempDir('drpc-hosts-');
    const e = { registry: 'docker.io', mirrorUrl: 'http://localhost:5000' };
    expect(await writeHostsEntry(dir, e)).toMatchObject({ action: 'created' });
    expect(await writeHostsEntry(dir, e)).toMatchObject({ action: 'unchanged' });
    expect(await writeHostsEntry(dir, { ...e, mirrorUrl: 'http://localhost:5001' })).toMatchObject({
      action: 'updated',
    });
    expect(readFileSync(join(dir, 'docker.io', 'hosts.toml'), 'utf8')).toContain(
      '[host."http://localhost:5001"]',
    );
    // A certificate the user keeps beside it stays, and so does the directory.
    writeFileSync(join(dir, 'docker.io', 'ca.crt'), 'cert');
    expect(await removeHostsEntry(dir, 'docker.io')).toMatchObject({ action: 'removed' });
    expect(readFileSync(join(dir, 'docker.io', 'ca.crt'), 'utf8')).toBe('cert');
    expect(existsSync(join(dir, 'docker.io', 'hosts.toml'))).toBe(false);
    expect(await removeHostsEntry(dir, 'docker.io')).toMatchObject({ action: 'absent' });
  });

  it('never overwrites nor removes a hosts.toml it did not write, and changes nothing', async () => {
    const dir = tempDir('drpc-hosts-');
    mkdirSync(join(dir, 'docker.io'));
    const theirs = 'server = "https://registry-1.docker.io"\n# mine\n';
    writeFileSync(join(dir, 'docker.io', 'hosts.toml'), theirs);
    await expect(
      writeHostsEntry(dir, { registry: 'docker.io', mirrorUrl: 'http://localhost:5000' }),
    ).rejects.toThrow(/was not written by drpc: add the mirror to it by hand/);
    await expect(removeHostsEntry(dir, 'docker.io')).rejects.toThrow(/was not written by drpc/);
    expect(readFileSync(join(dir, 'docker.io', 'hosts.toml'), 'utf8')).toBe(theirs);
  });

  it('writes one hosts.toml per registry, previews without writing, verifies, and undo removes only its own', async () => {
    const dir = tempDir('drpc-hosts-');
    const entries = [
      { registry: 'docker.io', mirrorUrl: 'http://host.docker.internal:5000' },
      { registry: 'ghcr.io', mirrorUrl: 'http://host.docker.internal:5001' },
      { registry: 'registry.k8s.io', mirrorUrl: 'https://mirror.example' },
    ];
    const plan = await previewHostsDir(dir, entries);
    expect(plan.map((p) => p.action)).toEqual(['created', 'created', 'created']);
    expect(plan[2]!.text).toContain('server = "https://registry.k8s.io"\n\n[host."https://mirror.example"]');
    expect(existsSync(join(dir, 'docker.io'))).toBe(false);
    expect(await verifyHostsDir(dir, entries)).toMatchObject({ ok: false });

    expect((await writeHostsDir(dir, entries)).map((c) => c.action)).toEqual([
      'created',
      'created',
      'created',
    ]);
    expect(await verifyHostsDir(dir, entries)).toEqual({ ok: true, missing: [] });
    expect((await writeHostsDir(dir, entries)).map((c) => c.action)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    for (const p of plan) expect(readFileSync(p.file, 'utf8')).toBe(p.text);

    expect(
      (await removeHostsDir(dir, ['docker.io', 'ghcr.io', 'registry.k8s.io'])).map((c) => c.action),
    ).toEqual(['removed', 'removed', 'removed']);
    expect(existsSync(join(dir, 'ghcr.io'))).toBe(false);
  });

  it('writes nothing at all when one registry has a hosts.toml it did not write, or the input is bad', async () => {
    const dir = tempDir('drpc-hosts-');
    mkdirSync(join(dir, 'quay.io'));
    writeFileSync(join(dir, 'quay.io', 'hosts.toml'), 'server = "https://quay.io"\n');
    const entries = [
      { registry: 'docker.io', mirrorUrl: 'http://localhost:5000' },
      { registry: 'quay.io', mirrorUrl: 'http://localhost:5002' },
    ];
    await expect(writeHostsDir(dir, entries)).rejects.toThrow(
      /quay\.io\/hosts\.toml exists and was not written by drpc/,
    );
    expect(existsSync(join(dir, 'docker.io'))).toBe(false);
    await expect(
      writeHostsDir(dir, [{ registry: 'docker.io', mirrorUrl: 'http://localhost:5000/v2' }]),
    ).rejects.toThrow(/root of a host/);
    await expect(removeHostsDir(dir, ['../etc'])).rejects.toThrow(/is not a registry host name/);
    expect(existsSync(join(dir, 'docker.io'))).toBe(false);
  });
});
