import { describe, expect, it } from 'vitest';
import { appSettingsSchema } from './app-settings.js';
import {
  CURRENT_SETTINGS_VERSION,
  FIRST_SETTINGS_VERSION,
  MIGRATIONS,
  migrateDocument,
} from './migrations.js';

const MIRROR = {
  port: 5001,
  bindAddress: '127.0.0.1',
  upstreamUrl: 'https://registry-1.docker.io',
  image: 'registry:3',
  dataDir: '/Users/me/Library/Application Support/docker-registry-proxy-cache/mirror',
  containerName: 'docker-registry-proxy-cache',
  network: null,
  restartPolicy: 'unless-stopped',
};

/** A document as each released version wrote it. Adding a version means adding its fixture here. */
const FIXTURES: Record<number, Record<string, unknown>> = {
  1: { version: 1, mirror: MIRROR },
  2: {
    version: 2,
    mirror: MIRROR,
    app: {
      startAtLogin: false,
      startMirrorOnLaunch: true,
      quotaBytes: null,
      enginesConfigured: [],
      quitStopsMirror: false,
    },
  },
};

const olderVersions = Array.from(
  { length: CURRENT_SETTINGS_VERSION - FIRST_SETTINGS_VERSION },
  (_, i) => FIRST_SETTINGS_VERSION + i,
);

describe('settings migrations', () => {
  it('has a migration and a fixture for every older version', () => {
    expect(olderVersions.length).toBeGreaterThan(0);
    for (const v of olderVersions) {
      expect(MIGRATIONS[v], `migration from ${v}`).toBeTypeOf('function');
      expect(FIXTURES[v], `fixture of version ${v}`).toBeDefined();
    }
  });

  it.each(olderVersions)('brings a version %i file to the current version, keeping its settings', (v) => {
    const original = structuredClone(FIXTURES[v]);
    const { doc, from } = migrateDocument(FIXTURES[v]);
    expect(from).toBe(v);
    const settings = appSettingsSchema.parse(doc);
    expect(settings.version).toBe(CURRENT_SETTINGS_VERSION);
    expect(settings.mirror).toEqual(MIRROR);
    expect(FIXTURES[v]).toEqual(original); // pure: the input is not changed
  });

  it('gives version 1 files the app preferences of version 2: nothing starts or stops by itself', () => {
    expect(migrateDocument(FIXTURES[1]).doc.app).toEqual({
      startAtLogin: false,
      startMirrorOnLaunch: false,
      quotaBytes: null,
      enginesConfigured: [],
      quitStopsMirror: false,
    });
  });

  it('treats a file without a version as version 1 (the CLI before versions were checked)', () => {
    const { doc, from } = migrateDocument({ mirror: MIRROR });
    expect(from).toBe(1);
    expect(doc.version).toBe(CURRENT_SETTINGS_VERSION);
  });

  it('keeps valid app preferences a version 1 file already holds, and drops invalid ones', () => {
    // An old CLI rewrote `version: 1` over a file a version 2 app had written.
    const { doc } = migrateDocument({
      version: 1,
      mirror: MIRROR,
      app: {
        startAtLogin: true,
        quotaBytes: 10e9,
        enginesConfigured: ['docker-desktop'],
        quitStopsMirror: 'yes',
      },
    });
    expect(doc.app).toEqual({
      startAtLogin: true,
      startMirrorOnLaunch: false,
      quotaBytes: 10e9,
      enginesConfigured: ['docker-desktop'],
      quitStopsMirror: false,
    });
  });

  it('keeps the registry an older file ran: registry:2 unless it named another (registry:3 is for new installs)', () => {
    for (const v of [1, 2]) {
      const { image: _named, ...withoutImage } = MIRROR;
      expect(migrateDocument({ ...FIXTURES[v], mirror: withoutImage }).doc.mirror, `version ${v}`).toEqual({
        ...withoutImage,
        image: 'registry:2',
      });
      expect(
        migrateDocument({ ...FIXTURES[v], mirror: { ...MIRROR, image: 'mycorp/registry:2.8' } }).doc.mirror,
      ).toMatchObject({ image: 'mycorp/registry:2.8' });
    }
    // An app that saved only its preferences ran the default of its time too.
    const { mirror: _none, ...appOnly } = FIXTURES[2]!;
    expect(migrateDocument(appOnly).doc.mirror).toEqual({ image: 'registry:2' });
  });

  it('starts the list of registries besides Docker Hub empty (version 3), keeping one already there', () => {
    expect(migrateDocument(FIXTURES[2]!).doc.registries).toEqual([]);
    expect(migrateDocument(FIXTURES[1]!).doc.registries).toEqual([]);
    const listed = [{ host: 'ghcr.io', upstreamUrl: 'https://ghcr.io', port: 5001, enabled: true }];
    expect(migrateDocument({ ...FIXTURES[2], registries: listed }).doc.registries).toEqual(listed);
  });

  it('keeps keys it does not know', () => {
    expect(migrateDocument({ ...FIXTURES[1], cache: { lastScan: 'x' } }).doc.cache).toEqual({
      lastScan: 'x',
    });
  });

  it('leaves a current document as it is', () => {
    const current = migrateDocument(FIXTURES[1]).doc;
    expect(migrateDocument(current)).toEqual({ doc: current, from: CURRENT_SETTINGS_VERSION });
  });

  it('refuses a file from a newer version rather than downgrading it', () => {
    expect(() => migrateDocument({ version: CURRENT_SETTINGS_VERSION + 1, mirror: MIRROR })).toThrow(
      /newer version/,
    );
  });

  it.each([[null], [[]], ['text'], [{ version: 0 }], [{ version: 1.5 }], [{ version: '2' }]])(
    'refuses %j',
    (raw) => {
      expect(() => migrateDocument(raw)).toThrow(expect.objectContaining({ code: 'CONFIG_UNREADABLE' }));
    },
  );
});
