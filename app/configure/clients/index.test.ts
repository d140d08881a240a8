// Every client through the one API the CLI uses: generated files (k3d, kind, hosts-dir) and their undo.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { tempDir } from '../../../testbed/helpers.js';
import { jsonFileStore } from '../../settings/json-file.js';
import { applyClient, ClientUndoStore, previewClient, undoClient, verifyClient } from './index.js';

const store = () => new ClientUndoStore(jsonFileStore(join(tempDir('drpc-clients-home-'), 'settings.json')));
const NODE = [
  { registry: 'docker.io', mirrorUrl: 'http://host.docker.internal:5000' },
  { registry: 'ghcr.io', mirrorUrl: 'http://host.docker.internal:5001' },
];

describe('drpc clients, generated files', () => {
  it('k3d: a registries.yaml in k3s format, verified, and removed on undo', async () => {
    const file = join(tempDir('drpc-k3d-'), 'registries.yaml');
    const t = { client: 'k3d' as const, file };
    expect(await previewClient(t, NODE)).toMatchObject([{ file, action: 'created' }]);
    expect(existsSync(file)).toBe(false);
    await applyClient(t, NODE, store());
    expect(parse(readFileSync(file, 'utf8'))).toEqual({
      mirrors: {
        'docker.io': { endpoint: ['http://host.docker.internal:5000'] },
        'ghcr.io': { endpoint: ['http://host.docker.internal:5001'] },
      },
    });
    expect(await verifyClient(t, NODE)).toEqual({ ok: true, missing: [] });
    expect(await undoClient(t, store())).toEqual([{ file, action: 'removed' }]);
    expect(existsSync(file)).toBe(false);
  });

  it('kind: a cluster config mounting the hosts directory into every node, with config_path set', async () => {
    const dir = tempDir('drpc-kind-');
    const file = join(dir, 'kind.yaml');
    const t = { client: 'kind' as const, file, workers: 2 };
    await applyClient(t, NODE, store());
    const config = parse(readFileSync(file, 'utf8'));
    expect(config).toMatchObject({ kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4' });
    expect(config.containerdConfigPatches).toEqual([
      '[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"',
    ]);
    expect(config.nodes.map((n: { role: string }) => n.role)).toEqual(['control-plane', 'worker', 'worker']);
    for (const n of config.nodes)
      expect(n.extraMounts).toEqual([
        { hostPath: join(dir, 'certs.d'), containerPath: '/etc/containerd/certs.d', readOnly: true },
      ]);
    expect(readFileSync(join(dir, 'certs.d', 'ghcr.io', 'hosts.toml'), 'utf8')).toContain(
      '[host."http://host.docker.internal:5001"]',
    );
    expect(await verifyClient(t, NODE)).toEqual({ ok: true, missing: [] });
    const undone = await undoClient(t, store());
    expect(undone.map((c) => c.action)).toEqual(['removed', 'removed', 'removed']);
    expect(existsSync(file) || existsSync(join(dir, 'certs.d', 'docker.io', 'hosts.toml'))).toBe(false);
  });

  it('kind and k3d refuse a loopback mirror, and nothing is written', async () => {
    const dir = tempDir('drpc-kind-');
    const local = [{ registry: 'docker.io', mirrorUrl: 'http://localhost:5000' }];
    for (const client of ['kind', 'k3d'] as const) {
      await expect(
        applyClient({ client, file: join(dir, `${client}.yaml`) }, local, store()),
      ).rejects.toThrow(
        new RegExp(`${client} nodes are containers: http://localhost:5000 there means the node itself`),
      );
      expect(existsSync(join(dir, `${client}.yaml`))).toBe(false);
    }
    expect(existsSync(join(dir, 'certs.d'))).toBe(false);
  });

  it('never overwrites nor removes a file it did not write', async () => {
    const dir = tempDir('drpc-k3d-');
    const file = join(dir, 'registries.yaml');
    writeFileSync(file, 'mirrors: {}\n');
    await expect(applyClient({ client: 'k3d', file }, NODE, store())).rejects.toThrow(
      /was not written by drpc/,
    );
    await expect(undoClient({ client: 'k3d', file }, store())).rejects.toThrow(/was not written by drpc/);
    expect(readFileSync(file, 'utf8')).toBe('mirrors: {}\n');
  });

  it('hosts-dir: undo with no list removes every hosts.toml drpc wrote there and only those', async () => {
    const dir = tempDir('drpc-hosts-');
    mkdirSync(join(dir, 'quay.io'));
    writeFileSync(join(dir, 'quay.io', 'hosts.toml'), 'server = "https://quay.io"\n');
    const t = { client: 'hosts-dir' as const, dir };
    await applyClient(t, [{ registry: 'docker.io', mirrorUrl: 'http://localhost:5000' }], store());
    expect(await undoClient(t, store())).toMatchObject([{ action: 'removed' }]);
    expect(existsSync(join(dir, 'docker.io'))).toBe(false);
    expect(readFileSync(join(dir, 'quay.io', 'hosts.toml'), 'utf8')).toBe('server = "https://quay.io"\n');
  });

  it('asks for the file or directory it needs', async () => {
    await expect(previewClient({ client: 'buildkit' }, NODE)).rejects.toThrow(
      /name the buildkit file to configure \(--file PATH\)/,
    );
    await expect(previewClient({ client: 'hosts-dir' }, NODE)).rejects.toThrow(
      /name the hosts directory \(--dir DIR\)/,
    );
  });
});
