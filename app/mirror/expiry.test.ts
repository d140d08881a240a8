// The app owns retention: on registry 3 the config it writes (proxy.ttl: 0) turns the registry's own
// expiry off. Proven against the same registry with a short ttl and deletes enabled, which does delete.
// (2.8 hard-codes 168 h and deletes only with storage.delete, which the app never enables.)
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { freePort, tempDir, testbed, testDocker, uniqueName } from '../../testbed/helpers.js';
import { buildRegistryConfig, type RegistryConfigDoc } from './registry-config.js';
import { defaultMirrorSettings } from './settings.js';

const docker = testDocker();
const made: string[] = [];

/** A registry:3 container with this config; returns its base URL and data dir. */
async function registry3(doc: RegistryConfigDoc): Promise<{ base: string; data: string }> {
  const dir = tempDir('drpc-expiry-');
  mkdirSync(join(dir, 'config'));
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'config', 'config.yml'), stringify(doc));
  const port = await freePort();
  const name = uniqueName('drpc-expiry');
  const c = await docker.createContainer({
    name,
    Image: 'registry:3',
    ExposedPorts: { '5000/tcp': {} },
    HostConfig: {
      Binds: [`${dir}/config:/etc/distribution:ro`, `${dir}/data:/var/lib/registry`],
      PortBindings: { '5000/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] },
      NetworkMode: testbed().network,
    },
  });
  made.push(name);
  await c.start();
  const base = `http://127.0.0.1:${port}`;
  await until(async () => (await fetch(`${base}/v2/`).catch(() => undefined))?.status === 200);
  return { base, data: join(dir, 'data') };
}

/** Polls a condition (200 ms apart, 30 s by default) until it holds. */
const until = (ok: () => Promise<boolean> | boolean, timeout = 30_000) =>
  vi.waitFor(async () => expect(await ok()).toBe(true), { timeout, interval: 200 });

/** Pulls busybox's manifest and layers through the registry; returns the layers' blob data paths. */
async function pullBusybox(base: string, data: string): Promise<string[]> {
  const accept = 'application/vnd.docker.distribution.manifest.v2+json';
  const m = (await (
    await fetch(`${base}/v2/library/busybox/manifests/latest`, { headers: { Accept: accept } })
  ).json()) as { layers: Array<{ digest: string }> };
  const paths: string[] = [];
  for (const { digest } of m.layers) {
    const res = await fetch(`${base}/v2/library/busybox/blobs/${digest}`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const hex = digest.slice('sha256:'.length);
    paths.push(join(data, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data'));
  }
  return paths;
}

describe('registry expiry on 3.x', () => {
  afterAll(async () => {
    for (const n of made) await docker.getContainer(n).remove({ force: true, v: true });
  });

  it("deletes nothing on its own with the app's config, where a ttl would have", async (ctx) => {
    if (testbed().mirrorImage !== 'registry:3')
      ctx.skip('needs registry:3 (DRPC_REGISTRY=2 runs the suite on 2.8)');
    const settings = { ...defaultMirrorSettings(), upstreamUrl: testbed().upstreamUrl };
    const app = buildRegistryConfig(settings, 3);
    expect(app.proxy).toMatchObject({ ttl: 0 });
    const control = structuredClone(app);
    (control.proxy as Record<string, unknown>).ttl = '8s';
    (control.storage as Record<string, unknown>).delete = { enabled: true };

    const [ours, expiring] = await Promise.all([registry3(app), registry3(control)]);
    const kept = await pullBusybox(ours.base, ours.data);
    const doomed = await pullBusybox(expiring.base, expiring.data);
    // Each stores what it served as it streams it; the file is complete a moment after the response.
    await until(() => kept.every((p) => existsSync(p)));
    await until(() => doomed.every((p) => existsSync(p)));

    // The control registry expires its copies 8 s after storing them (time enough to see them first)...
    await until(() => doomed.every((p) => !existsSync(p)));
    // ...by then ours has kept everything, and has no expiry schedule at all.
    expect(kept.filter((p) => !existsSync(p))).toEqual([]);
    expect(existsSync(join(ours.data, 'scheduler-state.json'))).toBe(false);
  });
});
