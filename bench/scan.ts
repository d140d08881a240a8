// Benchmark: the storage scanner on a synthetic store of 2,000 repositories, 10,000 tags and 60,000
// blobs, against `du -sb` of the same tree: full scan time, peak memory, incremental refresh after one
// pull, the app's own report after one pull (CacheRuntime, the hint from the access log), and how long
// the main thread's event loop is blocked while a worker scans.
// Run: npm run bench -- scan [--runs N] [--pulls N]
//
// Every scan runs in a fresh child process (bench/scan-child.ts), so each one's peak RSS is its own.
// The children run compiled to plain JS (tsc into the temp dir), as the app ships: from source, tsx's
// loader would add its own memory in the process and again in the worker (measured once, for scale).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { ChildResult, Variant } from './scan-child.js';
import { median, ms } from './stats.js';
import { generateStore } from './synthetic-store.js';

const execFileP = promisify(execFile);
const require = createRequire(import.meta.url);
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export const STORE = { repositories: 2000, tagsPerRepo: 5, blobsPerImage: 7, sharedBasePool: 50, seed: 1 };
const GOALS = { scanOverDu: 1.5, peakMb: 150, refreshMs: 50, blockMs: 20 };

type Incremental = Record<
  string,
  { pullMs: number; noopMs: number; pullHintedMs: number; noopHintedMs: number; pullMsAll: number[] }
>;
const range = (xs: number[]) => `${ms(Math.min(...xs))} to ${ms(Math.max(...xs))}`;

interface Runner {
  child(variant: Variant, extra?: string[]): Promise<ChildResult & { load: number }>;
}

/** Compiles the child and what it imports to plain ESM in `outDir` (node_modules linked from here). */
async function compileChild(outDir: string): Promise<string> {
  await execFileP(
    process.execPath,
    [
      require.resolve('typescript/bin/tsc'),
      '--ignoreConfig',
      join(repoRoot, 'bench', 'scan-child.ts'),
      '--outDir',
      outDir,
      '--rootDir',
      repoRoot,
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2023',
      '--types',
      'node',
      '--skipLibCheck',
    ],
    { cwd: repoRoot },
  );
  writeFileSync(join(outDir, 'package.json'), JSON.stringify({ type: 'module' }));
  // The app's path (CacheRuntime, CacheService) imports zod and yaml: the repository's packages.
  symlinkSync(join(repoRoot, 'node_modules'), join(outDir, 'node_modules'), 'dir');
  return join(outDir, 'bench', 'scan-child.js');
}

function runner(store: string, entry: string, fromSource: boolean): Runner {
  const pre = fromSource ? ['--import', pathToFileURL(require.resolve('tsx')).href] : [];
  return {
    async child(variant, extra = []) {
      const load = loadavg()[0] ?? 0;
      const { stdout } = await execFileP(process.execPath, [...pre, entry, variant, store, ...extra], {
        cwd: repoRoot,
        maxBuffer: 16 * 1024 * 1024,
        timeout: 10 * 60_000,
      });
      const line = stdout.trim().split('\n').pop() ?? '';
      return { ...(JSON.parse(line) as ChildResult), load };
    },
  };
}

async function duOnce(dir: string): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const { stdout } = await execFileP('du', ['-sb', dir]);
  return { ms: performance.now() - t0, bytes: Number(stdout.split('\t')[0]) };
}

export async function benchScan(opts: { runs?: number; pulls?: number } = {}) {
  const runs = opts.runs ?? 5;
  const pulls = opts.pulls ?? 5;
  const root = mkdtempSync(join(tmpdir(), 'drpc-bench-scan-'));
  // Where a mirror keeps it (`<dataDir>/data`): the app's path takes the mirror's data dir.
  const store = join(root, 'mirror', 'data');
  try {
    const gen = generateStore(store, STORE);
    const compiled = runner(store, await compileChild(join(root, 'js')), false);
    const source = runner(store, join(repoRoot, 'bench', 'scan-child.ts'), true);

    // Warm both the same way: one untimed pass each over the tree.
    await duOnce(store);
    await compiled.child('worker-summary');

    const du: number[] = [];
    let duBytes = 0;
    const full: Record<'worker-summary' | 'worker-full' | 'in-process' | 'idle', ChildResult[]> = {
      'worker-summary': [],
      'worker-full': [],
      'in-process': [],
      idle: [],
    };
    const loads: number[] = [];
    // Interleaved, so a change of the machine's load hits every variant alike.
    for (let i = 0; i < runs; i++) {
      loads.push(loadavg()[0] ?? 0);
      const d = await duOnce(store);
      du.push(d.ms);
      duBytes = d.bytes;
      for (const v of ['worker-summary', 'worker-full', 'in-process', 'idle'] as const) {
        const r = await compiled.child(v);
        loads.push(r.load);
        full[v].push(r);
      }
    }
    // For scale: the app's path run from source, with tsx loaded in the process and in the worker.
    const fromSource = [await source.child('worker-summary'), await source.child('idle')];

    // Last, since each pull adds a tag to the store: in-process, worker with the full result, summary.
    const incremental: Record<string, ChildResult & { load: number }> = {};
    let offset = 0;
    for (const v of [
      'incremental-in-process',
      'incremental-worker-full',
      'incremental-worker-summary',
      'app-report',
    ] as const) {
      const r = await compiled.child(v, [String(pulls), String(offset)]);
      loads.push(r.load);
      incremental[v] = r;
      offset += pulls;
    }
    loads.push(loadavg()[0] ?? 0);

    const m = (xs: ChildResult[], f: (r: ChildResult) => number) => median(xs.map(f));
    const max = (xs: ChildResult[], f: (r: ChildResult) => number) => Math.max(...xs.map(f));
    const app = full['worker-summary'];
    return {
      store: {
        repositories: gen.repositories.length,
        tags: gen.repositories.reduce((n, r) => n + r.tags.length, 0),
        blobs: gen.blobSizes.size,
        blobBytes: gen.blobBytes,
        duBytes,
        generateMs: gen.ms,
      },
      runs,
      load: { min: Math.min(...loads), max: Math.max(...loads), median: median(loads) },
      duMs: median(du),
      scan: Object.fromEntries(
        Object.entries(full)
          .filter(([k]) => k !== 'idle')
          .map(([k, xs]) => [
            k,
            {
              wallMs: m(xs, (r) => r.wallMs),
              scanMs: m(xs, (r) => r.scanMs ?? 0),
              maxRssMb: m(xs, (r) => r.maxRssMb),
              maxRssMbMax: max(xs, (r) => r.maxRssMb),
              mainHeapPeakMb: m(xs, (r) => r.mainHeapPeakMb),
              workerHeapPeakMb: m(xs, (r) => r.workerHeapPeakMb ?? 0),
              eldMaxMs: m(xs, (r) => r.eld.maxMs),
              eldMaxMsMax: max(xs, (r) => r.eld.maxMs),
              eldP99Ms: m(xs, (r) => r.eld.p99Ms),
              busyMaxMs: m(xs, (r) => r.ticks.maxBusyMs),
              busyMaxMsMax: max(xs, (r) => r.ticks.maxBusyMs),
              cpuInMaxGapMs: m(xs, (r) => r.ticks.cpuInMaxGapMs),
            },
          ]),
      ),
      idle: {
        rssMb: m(full.idle, (r) => r.maxRssMb),
        eldMaxMs: m(full.idle, (r) => r.eld.maxMs),
        eldMaxMsMax: max(full.idle, (r) => r.eld.maxMs),
        busyMaxMs: m(full.idle, (r) => r.ticks.maxBusyMs),
      },
      scanOverDu: median(app.map((r) => r.wallMs)) / median(du),
      fromSource: { summaryMaxRssMb: fromSource[0]!.maxRssMb, idleRssMb: fromSource[1]!.maxRssMb },
      incremental: Object.fromEntries(
        Object.entries(incremental).map(([k, r]) => [
          k,
          {
            pullMs: median(r.pullMs ?? []),
            pullMsAll: r.pullMs,
            noopMs: median(r.noopMs ?? []),
            noopMsAll: r.noopMs,
            reposRead: r.pullReposRead,
            pullHintedMs: median(r.pullHintedMs ?? []),
            pullHintedMsAll: r.pullHintedMs,
            noopHintedMs: median(r.noopHintedMs ?? []),
            hintedReposRead: r.pullHintedReposRead,
            eldMaxMs: r.eld.maxMs,
            busyMaxMs: r.ticks.maxBusyMs,
          },
        ]),
      ),
      loadAppReport: incremental['app-report']!.load,
      app: (() => {
        const r = incremental['app-report']!;
        return {
          reportMs: median(r.appReportMs ?? []),
          reportMsAll: r.appReportMs,
          refreshMs: median(r.appRefreshMs ?? []),
          refreshMsAll: r.appRefreshMs,
          hints: r.appHints,
          reposRead: r.appReposRead,
          eldMaxMs: r.eld.maxMs,
          busyMaxMs: r.ticks.maxBusyMs,
          busyMaxMsAfterPulls: r.ticks.maxBusyByPhase.pulls ?? 0,
          maxRssMb: r.maxRssMb,
        };
      })(),
      raw: { du, full, fromSource, incremental },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const verdict = (ok: boolean) => (ok ? 'met' : 'not met');

export async function main(args: string[]): Promise<void> {
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] ? Number(args[i + 1]) : undefined;
  };
  const r = await benchScan({ runs: opt('--runs'), pulls: opt('--pulls') });
  const { raw, ...summary } = r;
  console.log(JSON.stringify(summary, null, 2));
  console.error(JSON.stringify(raw));
  const s = r.scan as Record<string, Record<string, number>>;
  const app = s['worker-summary']!;
  const inc = r.incremental as Incremental;
  const appInc = inc['incremental-worker-summary']!;
  const hintedAll =
    (raw.incremental as Record<string, ChildResult>)['incremental-worker-summary']!.pullHintedMs ?? [];
  const mb = (x: number) => `${x.toFixed(0)} MB`;
  console.log(`
Store: ${r.store.repositories} repositories, ${r.store.tags} tags, ${r.store.blobs} blobs (${(r.store.blobBytes / 1e12).toFixed(2)} TB apparent). ${r.runs} runs; 1-minute load ${r.load.min.toFixed(1)} to ${r.load.max.toFixed(1)} (median ${r.load.median.toFixed(1)}) on 2 cores.

| measure | result | goal |
| --- | --- | --- |
| \`du -sb\` (median) | ${ms(r.duMs)} (${range(raw.du)}) | |
| full scan on a worker, summary back (the app's path; wall) | ${ms(app.wallMs!)} (${range(raw.full['worker-summary'].map((x) => x.wallMs))}) | |
| of which the scan itself (\`durationMs\`) | ${ms(app.scanMs!)} | |
| full scan / \`du -sb\` | ${r.scanOverDu.toFixed(1)}x | <= ${GOALS.scanOverDu}x: ${verdict(r.scanOverDu <= GOALS.scanOverDu)} |
| \`scanStoreInWorker\` (full result back; wall) | ${ms(s['worker-full']!.wallMs!)} | |
| \`scanStore\` in-process (wall) | ${ms(s['in-process']!.wallMs!)} | |
| peak RSS, app's path (process and worker) | ${mb(app.maxRssMb!)} (highest ${mb(app.maxRssMbMax!)}; idle process ${mb(r.idle.rssMb)}; from source ${mb(r.fromSource.summaryMaxRssMb)}, idle ${mb(r.fromSource.idleRssMb)}) | < ${GOALS.peakMb} MB: ${verdict(app.maxRssMbMax! < GOALS.peakMb)} |
| peak heap: worker / main thread | ${mb(app.workerHeapPeakMb!)} / ${mb(app.mainHeapPeakMb!)} | |
| peak RSS, \`scanStoreInWorker\` / in-process | ${mb(s['worker-full']!.maxRssMb!)} / ${mb(s['in-process']!.maxRssMb!)} | |
| the app's report after one pull: \`CacheRuntime.report()\` (median of ${r.app.reportMsAll!.length}) | ${ms(r.app.reportMs)} (${range(r.app.reportMsAll!)}); its refresh on the worker ${ms(r.app.refreshMs)}, told ${JSON.stringify(r.app.hints?.[0])}, re-read ${JSON.stringify(r.app.reposRead?.[0])} | < ${GOALS.refreshMs} ms: ${verdict(r.app.reportMs < GOALS.refreshMs)} |
| main thread during the app's path (first report: full scan; then the ${r.app.reportMsAll!.length} after a pull): busy between two ticks / delay | ${r.app.busyMaxMs.toFixed(1)} ms (after the pulls ${r.app.busyMaxMsAfterPulls.toFixed(1)} ms) / ${ms(r.app.eldMaxMs)}; peak RSS ${mb(r.app.maxRssMb)} | <= ${GOALS.blockMs} ms: ${verdict(r.app.busyMaxMs <= GOALS.blockMs)} |
| refresh after one pull, hinted: worker, summary (the app's path) | ${ms(appInc.pullHintedMs)} (${range(hintedAll)}) | < ${GOALS.refreshMs} ms: ${verdict(appInc.pullHintedMs < GOALS.refreshMs)} |
| refresh after one pull, no hint: worker, summary | ${ms(appInc.pullMs)} (${range(appInc.pullMsAll)}) | < ${GOALS.refreshMs} ms: ${verdict(appInc.pullMs < GOALS.refreshMs)} |
| refresh with nothing changed, worker, summary: no hint / empty hint | ${ms(appInc.noopMs)} / ${ms(appInc.noopHintedMs)} | |
| refresh after one pull, in-process (full result): hinted / no hint | ${ms(inc['incremental-in-process']!.pullHintedMs)} / ${ms(inc['incremental-in-process']!.pullMs)} | |
| refresh after one pull, worker, full result: hinted / no hint | ${ms(inc['incremental-worker-full']!.pullHintedMs)} / ${ms(inc['incremental-worker-full']!.pullMs)} | |
| event loop during the app's scan: max delay (histogram, 2 ms) | ${ms(app.eldMaxMs!)} (highest ${ms(app.eldMaxMsMax!)}), p99 ${app.eldP99Ms!.toFixed(1)} ms | |
| event loop during the app's scan: main-thread CPU between two 1 ms ticks | max ${app.busyMaxMs!.toFixed(1)} ms (highest ${app.busyMaxMsMax!.toFixed(1)} ms) | <= ${GOALS.blockMs} ms: ${verdict(app.busyMaxMsMax! <= GOALS.blockMs)} |
| same, \`scanStoreInWorker\` (full result) | delay ${ms(s['worker-full']!.eldMaxMs!)}, CPU ${s['worker-full']!.busyMaxMs!.toFixed(1)} ms | |
| same, in-process | delay ${ms(s['in-process']!.eldMaxMs!)}, CPU ${s['in-process']!.busyMaxMs!.toFixed(1)} ms | |
| idle process, same machine | delay ${ms(r.idle.eldMaxMs)} (highest ${ms(r.idle.eldMaxMsMax)}), CPU ${r.idle.busyMaxMs.toFixed(1)} ms | |`);
}
