// The packaging configuration, checked where no Mac can build it: electron-builder.yml against the
// JSON schema electron-builder itself ships, plus the choices the app depends on.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { decodePng } from '../app/shell/png.js';

const root = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const schema = createRequire(import.meta.url)('app-builder-lib/scheme.json') as object;
// The schema uses a custom `typeof` keyword; strict mode off lets Ajv ignore it.
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

interface BuilderConfig {
  appId: string;
  files: string[];
  extraMetadata: { main: string };
  electronFuses: Record<string, boolean>;
  mac: {
    category: string;
    target: { target: string; arch: string[] }[];
    hardenedRuntime: boolean;
    entitlements: string;
    entitlementsInherit: string;
    extendInfo: Record<string, unknown>;
    icon: string;
    notarize?: boolean;
  };
  dmg: { contents: { type: string; path?: string }[] };
}
const config = parse(read('electron-builder.yml')) as BuilderConfig;

describe('electron-builder.yml', () => {
  it('validates against the schema shipped in app-builder-lib', () => {
    const ok = validate(config);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('would fail validation with a typo in a key', () => {
    expect(validate({ ...config, mac: { ...config.mac, hardenedRuntme: true } })).toBe(false);
    expect(validate({ ...config, electronFuse: {} })).toBe(false);
    expect(validate({ ...config, dmg: { contents: [{ x: 1, y: 2, type: 'symlink' }] } })).toBe(false);
  });

  it('builds a universal .dmg of a developer tool with hardened runtime and our entitlements', () => {
    expect(config.appId).toMatch(/^[a-z0-9.-]+$/);
    expect(config.mac.category).toBe('public.app-category.developer-tools');
    expect(config.mac.target).toEqual([{ target: 'dmg', arch: ['universal'] }]);
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.notarize).toBeUndefined(); // notarized whenever the APPLE_* variables are set
    for (const file of [config.mac.entitlements, config.mac.entitlementsInherit]) {
      const plist = read(file);
      expect(plist).toMatch(/<key>com\.apple\.security\.cs\.allow-jit<\/key>\s*<true\/>/);
      expect(plist).not.toMatch(/get-task-allow|allow-unsigned-executable-memory|disable-library-validation/);
    }
  });

  it('has no Dock icon and a dmg with the Applications link', () => {
    expect(config.mac.extendInfo.LSUIElement).toBe(true);
    expect(config.dmg.contents).toContainEqual(
      expect.objectContaining({ type: 'link', path: '/Applications' }),
    );
  });

  it('turns off running as Node, NODE_OPTIONS and the inspector', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
    });
  });

  it('packages the built main process it names, with the assets and icon', () => {
    expect(config.extraMetadata.main).toBe('out/main/index.mjs');
    expect(read('vite.main.config.ts')).toContain("entryFileNames: 'index.mjs'");
    expect(read('vite.main.config.ts')).toContain("outDir: 'out/main'");
    expect(config.files).toEqual(expect.arrayContaining(['out/**/*', 'assets/**/*']));
    const icon = decodePng(readFileSync(new URL(config.mac.icon, root)));
    expect([icon.width, icon.height]).toEqual([1024, 1024]);
  });
});

describe('the macOS workflow', () => {
  const path = '.github/workflows/macos.yml';
  it('builds the .dmg and runs the Electron e2e tests on a macOS runner', () => {
    expect(existsSync(new URL(path, root))).toBe(true);
    const wf = parse(read(path)) as {
      jobs: Record<string, { 'runs-on': string; steps: { run?: string }[] }>;
    };
    const jobs = Object.values(wf.jobs);
    expect(jobs.every((j) => String(j['runs-on']).startsWith('macos'))).toBe(true);
    const runs = jobs.flatMap((j) => j.steps.map((s) => s.run ?? '')).join('\n');
    expect(runs).toContain('npm run dist:mac');
    expect(runs).toContain('npm run e2e:electron');
    expect(runs).toContain('node node_modules/electron/install.js');
  });
});
