import { describe, expect, it } from 'vitest';
import { defaultMirrorSettings } from '../mirror/settings.js';
import { memoryStore } from '../settings/json-file.js';
import {
  addRegistry,
  changeRegistry,
  registryHome,
  registryListSchema,
  registryMirrorSettings,
  removeRegistry,
  type RegistryEntry,
} from './registries.js';
import { loadRegistries, registryStore, saveRegistries } from './store.js';

const env = { DRPC_HOME: '/home/me/drpc' };
const main = { ...defaultMirrorSettings(env), port: 5000 };
const free = async () => true;

describe('registries besides Docker Hub', () => {
  it('adds a known registry with its upstream and the first port above the main mirror no mirror uses and that is free', async () => {
    let list = await addRegistry([], main, { host: 'ghcr.io' }, free);
    expect(list).toEqual([{ host: 'ghcr.io', upstreamUrl: 'https://ghcr.io', port: 5001, enabled: true }]);
    // 5002 is held by something else on this machine: skipped.
    list = await addRegistry(list, main, { host: 'Quay.io' }, async (p) => p !== 5002);
    expect(list[1]).toEqual({ host: 'quay.io', upstreamUrl: 'https://quay.io', port: 5003, enabled: true });
    list = await addRegistry(list, main, { host: 'registry.example.com:5443' }, free);
    expect(list[2]).toMatchObject({ upstreamUrl: 'https://registry.example.com:5443', port: 5002 });
  });

  it('refuses Docker Hub, a host listed twice, a taken port, and what is not a registry host, changing nothing', async () => {
    const list: RegistryEntry[] = [
      { host: 'ghcr.io', upstreamUrl: 'https://ghcr.io', port: 5001, enabled: true },
    ];
    const before = structuredClone(list);
    await expect(addRegistry(list, main, { host: 'docker.io' }, free)).rejects.toThrow(/Docker Hub/);
    await expect(addRegistry(list, main, { host: 'ghcr.io' }, free)).rejects.toThrow(/already one of/);
    await expect(addRegistry(list, main, { host: 'quay.io', port: 5000 }, free)).rejects.toThrow(
      /port 5000 is already another mirror's/,
    );
    for (const host of ['localhost', '../etc', 'ghcr.io/x', 'a b.io', '', '-x.io'])
      await expect(addRegistry(list, main, { host }, free), host).rejects.toThrow(
        /registry must be a host name/,
      );
    await expect(
      addRegistry(list, main, { host: 'quay.io', upstreamUrl: 'ftp://quay.io' }, free),
    ).rejects.toThrow(/http:\/\/ or https:\/\//);
    expect(list).toEqual(before);
  });

  it("a registry's mirror is the main one's settings with its own port, upstream, container and store beside the main store", () => {
    const e: RegistryEntry = {
      host: 'registry.example.com:5443',
      upstreamUrl: 'https://r.example',
      port: 5007,
      enabled: true,
    };
    const s = registryMirrorSettings(main, e);
    expect(s).toEqual({
      ...main,
      port: 5007,
      upstreamUrl: 'https://r.example',
      upstreamCaFile: null,
      containerName: 'docker-registry-proxy-cache-registry.example.com-5443',
      dataDir: '/home/me/drpc/mirror-registry.example.com-5443',
    });
    expect(registryHome('/home/me/drpc', e.host)).toBe('/home/me/drpc/registries/registry.example.com-5443');
  });

  it('changes and removes one entry, validated against the others', () => {
    const list: RegistryEntry[] = [
      { host: 'ghcr.io', upstreamUrl: 'https://ghcr.io', port: 5001, enabled: true },
      { host: 'quay.io', upstreamUrl: 'https://quay.io', port: 5002, enabled: true },
    ];
    expect(changeRegistry(list, main, 'ghcr.io', { enabled: false })[0]!.enabled).toBe(false);
    expect(() => changeRegistry(list, main, 'ghcr.io', { port: 5002 })).toThrow(/already another mirror's/);
    expect(() => changeRegistry(list, main, 'ghcr.io', { port: 5000 })).toThrow(/already another mirror's/);
    expect(() => changeRegistry(list, main, 'gcr.io', { enabled: false })).toThrow(
      /drpc registries add gcr.io/,
    );
    expect(removeRegistry(list, 'quay.io')).toEqual([list[0]]);
    expect(registryListSchema.safeParse([list[0], list[0]]).success).toBe(false);
  });

  it('lives in the settings file beside the main mirror, and a command for one registry reads and saves its entry there', async () => {
    const file = memoryStore({ version: 2, mirror: { port: 5000 }, app: { startAtLogin: true } });
    expect(await loadRegistries(file)).toEqual([]);
    await saveRegistries(file, await addRegistry([], main, { host: 'ghcr.io' }, free));
    expect(await file.read()).toMatchObject({
      version: 3,
      mirror: { port: 5000, image: 'registry:2' },
      app: { startAtLogin: true },
      registries: [{ host: 'ghcr.io', port: 5001 }],
    });
    const view = registryStore(file, 'ghcr.io', async () => ({ ...main, image: 'registry:2' }));
    expect(await view.read()).toMatchObject({
      mirror: { port: 5001, upstreamUrl: 'https://ghcr.io', image: 'registry:2' },
    });
    await view.write({ version: 3, mirror: { ...main, port: 5009, upstreamUrl: 'http://10.0.0.2:5000' } });
    expect(await loadRegistries(file)).toEqual([
      { host: 'ghcr.io', upstreamUrl: 'http://10.0.0.2:5000', port: 5009, enabled: true },
    ]);
    // the main mirror's settings are not touched by a registry's save
    expect(await file.read()).toMatchObject({ mirror: { port: 5000 } });
  });

  it('refuses a settings file whose registries are invalid, and leaves it alone', async () => {
    const doc = { version: 3, mirror: {}, registries: [{ host: 'ghcr.io', port: 'x' }] };
    const file = memoryStore(doc);
    await expect(loadRegistries(file)).rejects.toMatchObject({ code: 'CONFIG_UNREADABLE' });
    expect(await file.read()).toEqual(doc);
  });
});
