import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { defaultMirrorSettings } from '../mirror/settings.js';
import {
  applySettingsChange,
  CURRENT_SETTINGS_VERSION,
  defaultAppSettings,
  loadAppSettings,
  saveAppSettings,
  settingsChangeSchema,
  storedSettingsJsonSchema,
} from './app-settings.js';
import { memoryStore } from './json-file.js';
import { loadMirrorSettings, saveMirrorSettings } from './mirror-settings-store.js';

const env = { HOME: '/Users/me', DRPC_HOME: '/tmp/drpc-test-home' };

describe('loadAppSettings', () => {
  it('writes the defaults when there is no file', async () => {
    const store = memoryStore();
    const loaded = await loadAppSettings(store, env);
    expect(loaded).toEqual({ settings: defaultAppSettings(env), created: true });
    expect(await store.read()).toEqual(defaultAppSettings(env));
  });

  it('migrates a version 1 file, writes it back, and the CLI still reads it', async () => {
    const store = memoryStore({ version: 1, mirror: { port: 5050 } });
    const loaded = await loadAppSettings(store, env);
    expect(loaded.migratedFrom).toBe(1);
    // It ran registry:2, the default of its time; new installs get registry:3.
    expect(loaded.settings.mirror).toEqual({
      ...defaultMirrorSettings(env),
      port: 5050,
      image: 'registry:2',
    });
    expect(defaultMirrorSettings(env).image).toBe('registry:3');
    expect(await store.read()).toMatchObject({
      version: CURRENT_SETTINGS_VERSION,
      app: { quitStopsMirror: false },
    });
    expect((await loadMirrorSettings(store, env)).port).toBe(5050);
  });

  it('reports an invalid file and leaves it untouched', async () => {
    const bad = { version: 2, mirror: { port: 'five thousand' }, app: {} };
    const store = memoryStore(bad);
    await expect(loadAppSettings(store, env)).rejects.toMatchObject({
      code: 'CONFIG_UNREADABLE',
      message: expect.stringMatching(/mirror\.port/),
    });
    expect(await store.read()).toEqual(bad);
  });
});

describe('applySettingsChange', () => {
  const current = defaultAppSettings(env);

  it('applies a valid change to both parts', () => {
    const next = applySettingsChange(current, {
      mirror: { port: 5001 },
      app: { quotaBytes: 20e9, quitStopsMirror: true },
    });
    expect(next.mirror.port).toBe(5001);
    expect(next.app).toMatchObject({ quotaBytes: 20e9, quitStopsMirror: true, startAtLogin: false });
    expect(current.mirror.port).toBe(5000);
  });

  it('refuses an invalid change with field issues', () => {
    let caught: unknown;
    try {
      applySettingsChange(current, { mirror: { bindAddress: 'localhost' }, app: { quotaBytes: 1000 } });
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({
      code: 'INVALID_INPUT',
      details: {
        issues: [
          { path: 'mirror.bindAddress', message: 'bind address must be an IP address like 127.0.0.1' },
          { path: 'app.quotaBytes', message: 'quota must be at least 64 MiB' },
        ],
      },
    });
  });

  it('does not let a change set the engines list, which the app records itself', () => {
    expect(settingsChangeSchema.safeParse({ app: { enginesConfigured: ['x'] } }).success).toBe(false);
    expect(settingsChangeSchema.safeParse({ other: 1 }).success).toBe(false);
  });
});

describe('saving', () => {
  it('keeps keys other tools wrote', async () => {
    const store = memoryStore({ ...defaultAppSettings(env), extra: { kept: true } });
    await saveAppSettings(store, applySettingsChange(defaultAppSettings(env), { mirror: { port: 5002 } }));
    expect(await store.read()).toMatchObject({ extra: { kept: true }, mirror: { port: 5002 } });
  });

  it('the CLI saving mirror settings keeps the app preferences and the version', async () => {
    const settings = applySettingsChange(defaultAppSettings(env), { app: { startAtLogin: true } });
    const store = memoryStore(settings);
    await saveMirrorSettings(store, { ...settings.mirror, port: 6000 });
    const after = await loadAppSettings(store, env);
    expect(after.migratedFrom).toBeUndefined();
    expect(after.settings.app.startAtLogin).toBe(true);
    expect(after.settings.mirror.port).toBe(6000);
  });

  it('the CLI saving into a version 1 file migrates it, and into an empty store writes a whole document', async () => {
    const v1 = memoryStore({ version: 1, mirror: {} });
    await saveMirrorSettings(v1, defaultMirrorSettings(env));
    expect(await v1.read()).toMatchObject({
      version: CURRENT_SETTINGS_VERSION,
      app: { startAtLogin: false },
    });
    const empty = memoryStore();
    await saveMirrorSettings(empty, defaultMirrorSettings(env));
    expect((await loadAppSettings(empty, env)).settings).toEqual(defaultAppSettings(env));
  });

  it('the CLI refuses to overwrite a file from a newer version', async () => {
    const store = memoryStore({ version: CURRENT_SETTINGS_VERSION + 1, mirror: {} });
    await expect(saveMirrorSettings(store, defaultMirrorSettings(env))).rejects.toMatchObject({
      code: 'CONFIG_UNREADABLE',
    });
  });
});

describe('storedSettingsJsonSchema', () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const { properties } = storedSettingsJsonSchema();
  const validate = ajv.compile({ type: 'object', properties });

  it('accepts documents of every version and types every field', () => {
    expect(validate({ version: 1, mirror: { port: 5000 } })).toBe(true);
    expect(validate(defaultAppSettings(env))).toBe(true);
    expect(Object.keys(properties).sort()).toEqual(['app', 'mirror', 'version']);
  });

  it('rejects wrong types, so a damaged file is caught on open', () => {
    expect(validate({ version: 'two' })).toBe(false);
    expect(validate({ version: 2, mirror: { port: 'x' } })).toBe(false);
    expect(validate({ version: 2, app: { quotaBytes: -1 } })).toBe(false);
    expect(validate({ version: 2, mirror: { restartPolicy: 'sometimes' } })).toBe(false);
  });
});
