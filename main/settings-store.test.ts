import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CURRENT_SETTINGS_VERSION, defaultAppSettings } from '../app/settings/app-settings.js';
import { jsonFileStore } from '../app/settings/json-file.js';
import { loadMirrorSettings } from '../app/settings/mirror-settings-store.js';
import { createLogger, silentLogger } from './log.js';
import { loadOrReset, SettingsService } from '../app/core/settings.js';
import { ElectronSettingsFile } from './settings-store.js';

// Our modules get the fake electron. electron-store is loaded by Node itself, past vitest's mocks:
// with ELECTRON_OVERRIDE_DIST_PATH the real `electron` package resolves to a path instead of trying to
// download a binary, and electron-store runs as it does outside Electron (given an absolute cwd).
vi.hoisted(() => {
  process.env.ELECTRON_OVERRIDE_DIST_PATH ??= '/nonexistent/electron-dist';
});
vi.mock('electron', () => import('./testing/fake-electron.js'));

function dir() {
  const d = mkdtempSync(join(tmpdir(), 'drpc-settings-'));
  return { d, env: { DRPC_HOME: d, HOME: d }, file: join(d, 'settings.json') };
}
const NOW = () => new Date('2025-05-06T07:08:09.000Z');

describe('ElectronSettingsFile', () => {
  it('reads nothing when there is no file, then writes and reads a document', async () => {
    const { d, file } = dir();
    const store = new ElectronSettingsFile(d);
    expect(store.location).toBe(file);
    expect(await store.read()).toBeUndefined();
    await store.write({ version: 2, mirror: { port: 5001 } });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 2, mirror: { port: 5001 } });
    expect(await store.read()).toEqual({ version: 2, mirror: { port: 5001 } });
  });

  it('sees changes the CLI writes to the same file', async () => {
    const { d, file } = dir();
    const store = new ElectronSettingsFile(d);
    await store.write({ version: 2, mirror: { port: 5001 } });
    await jsonFileStore(file).write({ version: 2, mirror: { port: 6001 } });
    expect(await store.read()).toEqual({ version: 2, mirror: { port: 6001 } });
  });

  it('refuses to write what the schema forbids', async () => {
    const { d } = dir();
    await expect(new ElectronSettingsFile(d).write({ version: 2, mirror: { port: 'x' } })).rejects.toThrow();
  });
});

describe('loadOrReset', () => {
  it('creates the defaults in the file the CLI reads', async () => {
    const { d, env, file } = dir();
    const { settings, notice } = await loadOrReset(new ElectronSettingsFile(d), silentLogger, { env });
    expect(settings).toEqual(defaultAppSettings(env));
    expect(notice).toBeUndefined();
    expect(await loadMirrorSettings(jsonFileStore(file), env)).toEqual(settings.mirror);
  });

  it('migrates a version 1 file written by the CLI', async () => {
    const { d, env, file } = dir();
    writeFileSync(file, JSON.stringify({ version: 1, mirror: { port: 5055 } }));
    const lines: string[] = [];
    const { settings, notice } = await loadOrReset(
      new ElectronSettingsFile(d),
      createLogger((l) => lines.push(l)),
      { env },
    );
    expect(notice).toBeUndefined();
    expect(settings.mirror.port).toBe(5055);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      version: CURRENT_SETTINGS_VERSION,
      app: { startAtLogin: false },
      // the image it ran; registry:3 is the default for new installs only
      mirror: { image: 'registry:2' },
    });
    expect(lines.join('\n')).toMatch(/settings migrated.*"from":1/);
  });

  it.each([
    ['not JSON', '{"version": 2, "mirror": {'],
    ['a wrong type', JSON.stringify({ version: 2, mirror: { port: 'five' } })],
    [
      'an invalid value',
      JSON.stringify({ version: 2, mirror: { port: 5000, bindAddress: 'my-mac' }, app: {} }),
    ],
    ['a newer version', JSON.stringify({ version: 99, mirror: {} })],
    ['not an object', '[1, 2, 3]'],
  ])('backs up a file with %s, starts from defaults and says so', async (_what, content) => {
    const { d, env, file } = dir();
    writeFileSync(file, content);
    const store = new ElectronSettingsFile(d);
    const { settings, notice } = await loadOrReset(store, silentLogger, { env, now: NOW });
    expect(settings).toEqual(defaultAppSettings(env));
    const backup = join(d, 'settings.corrupt-2025-05-06T07-08-09-000Z.json');
    expect(readFileSync(backup, 'utf8')).toBe(content);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(defaultAppSettings(env));
    expect(notice).toMatchObject({ kind: 'settings-reset', level: 'warning', title: 'Settings were reset' });
    expect(notice?.message).toContain(backup);
    // and the store works normally afterwards
    expect(await store.read()).toEqual(defaultAppSettings(env));
  });

  it('reads a version 2 file from before autoRecreate as on, keeps the image it ran, and keeps recreate off once saved off', async () => {
    // autoRecreate is optional (absent: on), so a version 2 file means what it meant; version 3 only
    // names the image it ran (registry:2) now that new installs get registry:3.
    const { d, env, file } = dir();
    const before = { version: 2, mirror: { port: 5055 }, app: defaultAppSettings(env).app };
    writeFileSync(file, JSON.stringify(before));
    const store = new ElectronSettingsFile(d);
    const { settings, notice } = await loadOrReset(store, silentLogger, { env });
    expect(notice).toBeUndefined();
    expect(settings.mirror).toMatchObject({ port: 5055, autoRecreate: true, image: 'registry:2' });
    const service = new SettingsService(store, settings);
    await service.update({ mirror: { autoRecreate: false } });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      version: CURRENT_SETTINGS_VERSION,
      mirror: { autoRecreate: false, image: 'registry:2' },
    });
    expect((await loadOrReset(store, silentLogger, { env })).settings.mirror.autoRecreate).toBe(false);
    // electron-store's schema refuses what zod would.
    await expect(store.write({ version: 3, mirror: { autoRecreate: 'yes' } })).rejects.toThrow();
  });

  it('does not reset on errors that are not about the file', async () => {
    const { d, env } = dir();
    const store = new ElectronSettingsFile(d);
    vi.spyOn(store, 'read').mockRejectedValueOnce(new Error('EMFILE: too many open files'));
    await expect(loadOrReset(store, silentLogger, { env })).rejects.toThrow(/EMFILE/);
    expect(readdirSync(d).filter((f) => f.includes('corrupt'))).toEqual([]);
  });
});

describe('SettingsService', () => {
  it('saves a valid change and tells listeners what it was', async () => {
    const { d, env, file } = dir();
    const store = new ElectronSettingsFile(d);
    const service = new SettingsService(store, (await loadOrReset(store, silentLogger, { env })).settings);
    const changes: [number, number][] = [];
    service.on('changed', (next, prev) => changes.push([prev.mirror.port, next.mirror.port]));
    const next = await service.update({ mirror: { port: 5003 } });
    expect(next.mirror.port).toBe(5003);
    expect(changes).toEqual([[5000, 5003]]);
    expect(JSON.parse(readFileSync(file, 'utf8')).mirror.port).toBe(5003);
  });

  it('refuses an invalid change and changes nothing, in memory or on disk', async () => {
    const { d, env, file } = dir();
    const store = new ElectronSettingsFile(d);
    const service = new SettingsService(store, (await loadOrReset(store, silentLogger, { env })).settings);
    const before = readFileSync(file, 'utf8');
    await expect(service.update({ mirror: { dataDir: 'relative/path' } })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(service.current.mirror.dataDir).toBe(defaultAppSettings(env).mirror.dataDir);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(existsSync(file)).toBe(true);
  });
});
