// The storage scanner's worker in the Electron main build: `vite build --config vite.main.config.ts`
// (npm run build:main) emits it beside the main bundle, as one file with nothing to import but Node's
// built-ins, and the bundled worker-scanner finds it there, in the packaged layout too (the bundle in
// app.asar, the worker unpacked beside the archive by electron-builder's asarUnpack). Built into temp
// directories: out/ is left alone.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateStore } from '../bench/synthetic-store.js';
import { scanWorkerEntry } from '../app/cache/scan/worker-scanner.js';
import { SCAN_WORKER_FILE } from '../vite.main.config.js';

const execFileP = promisify(execFile);
const root = fileURLToPath(new URL('../', import.meta.url));
const config = join(root, 'vite.main.config.ts');

/** `npm run build:main`, into `outDir`, optionally with another entry in place of main/index.ts. */
async function buildMain(outDir: string, entry?: string): Promise<void> {
  await build({
    configFile: config,
    root,
    logLevel: 'silent',
    build: { outDir, ...(entry ? { ssr: entry } : {}) },
  });
}

/** The specifiers a bundled ES module imports (static and dynamic). */
function importsOf(code: string): string[] {
  const out = new Set<string>();
  for (const m of code.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s*["']([^"']+)["']/gm)) out.add(m[1]!);
  for (const m of code.matchAll(/^\s*import\s*["']([^"']+)["']/gm)) out.add(m[1]!);
  for (const m of code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) out.add(m[1]!);
  return [...out].sort();
}

let tmp: string;
let store: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'drpc-main-build-'));
  store = join(tmp, 'store');
  generateStore(store, { repositories: 12, tagsPerRepo: 2, blobsPerImage: 4, sharedBasePool: 3, seed: 5 });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the scan worker in the main build', () => {
  it('is emitted beside index.mjs, one file importing nothing but Node built-ins, and found there', async () => {
    const out = join(tmp, 'main', 'out', 'main');
    await buildMain(out);
    const files = readdirSync(out).filter((f) => !f.endsWith('.map'));
    expect(files.sort()).toEqual(['index.mjs', SCAN_WORKER_FILE].sort());

    const worker = readFileSync(join(out, SCAN_WORKER_FILE), 'utf8');
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const imports = importsOf(worker);
    expect(imports.length).toBeGreaterThan(0); // the parse found its imports
    expect(imports.filter((s) => !builtins.has(s))).toEqual([]);

    // Where the bundle's inlined worker-scanner looks: the sibling with its own extension.
    const main = pathToFileURL(join(out, 'index.mjs')).href;
    expect(readFileSync(join(out, 'index.mjs'), 'utf8')).toContain('./scan-worker${ext}');
    expect(fileURLToPath(scanWorkerEntry(main).url)).toBe(join(out, SCAN_WORKER_FILE));
    expect(scanWorkerEntry(main).execArgv).toEqual([]); // plain Node (no tsx) runs it
  });

  it('a main bundled the same way starts it and scans, from out/main and from the packaged app.asar', async () => {
    const out = join(tmp, 'probe', 'out', 'main');
    await buildMain(out, 'main/testing/scan-worker-probe.ts');
    const run = async (main: string) =>
      JSON.parse((await execFileP(process.execPath, [main, store], { timeout: 60_000 })).stdout) as unknown;
    const scanned = { repositories: 12, blobCount: expect.any(Number) };
    expect(await run(join(out, 'index.mjs'))).toEqual(scanned);

    // As electron-builder packs it: package.json and out/ in app.asar (a directory here: plain Node
    // reads no archive), the worker only in app.asar.unpacked, at the same path.
    const resources = join(tmp, 'Resources');
    mkdirSync(join(resources, 'app.asar', 'out', 'main'), { recursive: true });
    mkdirSync(join(resources, 'app.asar.unpacked', 'out', 'main'), { recursive: true });
    cpSync(join(root, 'package.json'), join(resources, 'app.asar', 'package.json'));
    cpSync(join(out, 'index.mjs'), join(resources, 'app.asar', 'out', 'main', 'index.mjs'));
    cpSync(
      join(out, SCAN_WORKER_FILE),
      join(resources, 'app.asar.unpacked', 'out', 'main', SCAN_WORKER_FILE),
    );
    expect(existsSync(join(resources, 'app.asar', 'out', 'main', SCAN_WORKER_FILE))).toBe(false);
    expect(await run(join(resources, 'app.asar', 'out', 'main', 'index.mjs'))).toEqual(scanned);
  });

  it('is unpacked from app.asar by electron-builder, at the path the main build writes it to', () => {
    const builder = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as {
      asar: boolean;
      asarUnpack?: string[];
      files: string[];
    };
    expect(builder.asar).toBe(true);
    expect(builder.asarUnpack).toEqual([`out/main/${SCAN_WORKER_FILE}`]);
    expect(builder.files).toContain('out/**/*');
    expect(readFileSync(config, 'utf8')).toContain("outDir: 'out/main'");
    const packaged = 'file:///Applications/Docker%20Registry%20Proxy%20Cache.app/Contents/Resources';
    expect(scanWorkerEntry(`${packaged}/app.asar/out/main/index.mjs`).url.href).toBe(
      `${packaged}/app.asar.unpacked/out/main/${SCAN_WORKER_FILE}`,
    );
  });
});
