// The main process as one ES module (Electron 28+ loads ESM main scripts): out/main/index.mjs.
// app/ and main/ are bundled; npm dependencies stay external and are packaged from node_modules.
//
// Beside it, the storage scanner's worker thread: out/main/scan-worker.mjs, where the bundled
// worker-scanner looks for it (the sibling `scan-worker` with its own extension). Built on its own, after
// the main bundle, so it is one file that imports nothing but Node's built-ins: packaged, it is
// unpacked from app.asar (electron-builder.yml `asarUnpack`), where it could not reach the archive's
// node_modules or a chunk shared with the main bundle.
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { build, defineConfig, type Plugin } from 'vite';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  dependencies?: Record<string, string>;
};
const builtins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const external = ['electron', ...builtins, ...Object.keys(pkg.dependencies ?? {})];
const isIn = (list: string[]) => (id: string) => list.some((e) => id === e || id.startsWith(`${e}/`));

export const SCAN_WORKER_ENTRY = 'app/cache/scan/scan-worker.ts';
export const SCAN_WORKER_FILE = 'scan-worker.mjs';

/** Builds the scan worker into the main build's output directory once the main bundle is written. */
function scanWorker(): Plugin {
  let root = '';
  let outDir = '';
  return {
    name: 'drpc:scan-worker',
    apply: 'build',
    configResolved(config) {
      root = config.root;
      outDir = resolve(config.root, config.build.outDir);
    },
    async writeBundle() {
      await build({
        configFile: false,
        root,
        logLevel: 'warn',
        build: {
          outDir,
          emptyOutDir: false,
          target: 'node22',
          minify: false,
          sourcemap: true,
          ssr: SCAN_WORKER_ENTRY,
          rolldownOptions: {
            // Everything but Node's own modules is bundled in.
            external: isIn(builtins),
            output: { format: 'es', entryFileNames: SCAN_WORKER_FILE },
          },
        },
      });
    },
  };
}

export default defineConfig({
  logLevel: 'warn',
  plugins: [scanWorker()],
  build: {
    outDir: 'out/main',
    emptyOutDir: true,
    target: 'node22',
    minify: false,
    sourcemap: true,
    ssr: 'main/index.ts',
    rolldownOptions: {
      external: isIn(external),
      output: { format: 'es', entryFileNames: 'index.mjs' },
    },
  },
});
