// One measurement of bench/scan.ts in a fresh process, so its peak memory (maxRSS) is this variant's
// alone. Prints one JSON line. Started by bench/scan.ts:
//   node --import tsx bench/scan-child.ts <variant> <storeDir> [pulls] [pullOffset] [repositories]
import type Docker from 'dockerode';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { createScanner, type RefreshHint } from '../app/cache/scan/scanner.js';
import { createWorkerScanner, scanStoreInWorker } from '../app/cache/scan/worker-scanner.js';
import { CacheService } from '../app/cache/service.js';
import type { KeeperEvent } from '../app/contract/values.js';
import type { Mirror } from '../app/mirror/mirror.js';
import { defaultMirrorSettings, mirrorDirs } from '../app/mirror/settings.js';
import { CacheRuntime } from '../app/service/cache-runtime.js';
import { CacheHistory } from '../app/service/history.js';
import type { EngineHandle } from '../app/service/mirror-service.js';
import { memoryStore } from '../app/settings/json-file.js';
import { LoopMonitor, type LoopReport } from './loop-monitor.js';
import { pullLogLines } from './pull-log.js';
import { simulatePull } from './synthetic-store.js';

export type Variant =
  | 'idle'
  | 'worker-summary'
  | 'worker-full'
  | 'in-process'
  | 'incremental-in-process'
  | 'incremental-worker-full'
  | 'incremental-worker-summary'
  | 'app-report';

export interface ChildResult {
  variant: Variant;
  /** RSS when the measurement started (node, tsx and the modules loaded). */
  rssBeforeMb: number;
  /** Peak RSS of the whole process (main thread and worker). */
  maxRssMb: number;
  /** Peak V8 heap used on the main thread, sampled every 5 ms. */
  mainHeapPeakMb: number;
  /** Peak V8 heap used on the worker, sampled every 5 ms (worker-summary variants only). */
  workerHeapPeakMb?: number;
  /** Wall time of the measured call on the main thread (worker start, scan, transfer). */
  wallMs: number;
  /** The scan's own durationMs (measured where it ran). */
  scanMs?: number;
  /**
   * This thread's event loop while measuring (loop-monitor.ts): the delay a user feels
   * (monitorEventLoopDelay, p50/p99/max) and the CPU-slice figure beside it, over the whole measurement
   * and per phase (`start`, then what a variant marks: `first-report`, `report-after-pull-N`,
   * `sample-N`, `full-scan`, `refresh-N`, `hinted-refresh-N`; waits between them count toward none).
   */
  loop: LoopReport;
  repositories?: number;
  blobCount?: number;
  /** Incremental: time of a refresh with nothing changed, then of each refresh after one pull. */
  noopMs?: number[];
  pullMs?: number[];
  pullReposRead?: string[][];
  /** The same with a hint naming the pulled repository (none for the no-op), as the access log gives. */
  noopHintedMs?: number[];
  pullHintedMs?: number[];
  pullHintedReposRead?: string[][];
  /**
   * The app's path (`app-report`): `CacheRuntime.report()` after each pull (the pull written into the
   * store, its log lines through the access tracker), the worker's refresh within it, what that
   * refresh was told and what it re-read.
   */
  appReportMs?: number[];
  appRefreshMs?: number[];
  appHints?: Array<string[] | null>;
  appReposRead?: string[][];
  /** The app's hourly size sample: a summary refresh that looks everywhere (no hint), ms. */
  appSampleMs?: number[];
}

const MB = 1024 * 1024;

interface Hooks {
  workerHeap?: () => Promise<number>;
  /** From now on the loop's figures count toward this phase (a new name each time). */
  phase: (name: string) => void;
  /** Until the next phase, toward none (waits between the measured calls). */
  pause: () => void;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(
  variant: Variant,
  fn: (sample: Hooks) => Promise<Partial<ChildResult>>,
): Promise<ChildResult> {
  const rssBefore = process.memoryUsage.rss();
  let mainHeapPeak = 0;
  let workerHeapPeak = 0;
  let sampling = false;
  const hooks: Hooks = { phase: (name) => monitor.phase(name), pause: () => monitor.pause() };
  const monitor = new LoopMonitor('start', {
    everyTicks: 5,
    onTick: () => {
      mainHeapPeak = Math.max(mainHeapPeak, getHeapStatistics().used_heap_size);
      if (hooks.workerHeap && !sampling) {
        sampling = true;
        hooks.workerHeap().then(
          (used) => ((workerHeapPeak = Math.max(workerHeapPeak, used)), (sampling = false)),
          () => (sampling = false),
        );
      }
    },
  });
  const t0 = performance.now();
  const extra = await fn(hooks);
  const wallMs = performance.now() - t0;
  const loop = monitor.stop();
  mainHeapPeak = Math.max(mainHeapPeak, getHeapStatistics().used_heap_size);
  return {
    variant,
    rssBeforeMb: rssBefore / MB,
    maxRssMb: (process.resourceUsage().maxRSS * 1024) / MB,
    mainHeapPeakMb: mainHeapPeak / MB,
    ...(workerHeapPeak ? { workerHeapPeakMb: workerHeapPeak / MB } : {}),
    wallMs,
    loop,
    ...extra,
  };
}

/**
 * Pulls into distinct repositories (library/app-<offset + i>), each a new tag, timing the refresh after
 * each: once without a hint (the scanner finds the change itself), once with the pulled repository as
 * the hint (what the access log tells the app), each after its own pull.
 */
async function incremental(
  dir: string,
  pulls: number,
  offset: number,
  repos: number,
  refresh: (hint?: RefreshHint) => Promise<{ work: { repositoriesRead: string[] } }>,
  hooks: Hooks,
) {
  hooks.phase('full-scan');
  await refresh(); // the full scan that warms the scanner
  hooks.pause();
  await sleep(150); // past the racy window: the next refreshes trust what the full scan saw
  let n = 0;
  const timed = async (hint?: RefreshHint) => {
    // Each refresh its own phase: `refresh-` without a hint, `hinted-refresh-` with one.
    hooks.phase(`${hint ? 'hinted-refresh' : 'refresh'}-${n++}`);
    const t0 = performance.now();
    const r = await refresh(hint);
    const ms = performance.now() - t0;
    hooks.pause();
    return [ms, r.work.repositoriesRead] as const;
  };
  const noopMs: number[] = [];
  const noopHintedMs: number[] = [];
  for (let i = 0; i < 3; i++) {
    noopMs.push((await timed())[0]);
    noopHintedMs.push((await timed({ repositories: [] }))[0]);
  }
  const pullMs: number[] = [];
  const pullReposRead: string[][] = [];
  const pullHintedMs: number[] = [];
  const pullHintedReposRead: string[][] = [];
  for (let i = 0; i < pulls; i++) {
    // library/app-<multiple of 5>: plain, non-nested repositories of the generated store.
    const plain = `library/app-${((offset + i) * 10) % repos}`;
    simulatePull(dir, plain, `pulled-${process.pid}-${i}`);
    const [ms, read] = await timed();
    pullMs.push(ms);
    pullReposRead.push([...read]);
    await sleep(150);
    const hinted = `library/app-${((offset + i) * 10 + 5) % repos}`;
    simulatePull(dir, hinted, `pulled-${process.pid}-${i}`);
    const [hms, hread] = await timed({ repositories: [hinted] });
    pullHintedMs.push(hms);
    pullHintedReposRead.push([...hread]);
    await sleep(150);
  }
  return { noopMs, noopHintedMs, pullMs, pullReposRead, pullHintedMs, pullHintedReposRead };
}

/**
 * The app's report path after a pull, as the UI asks for it: CacheRuntime over a CacheService (its scan
 * worker, its access tracker) over the store, the engine stood in for (no container, so no log to catch
 * up with and no registry counters). Each pull goes to its own `library/app-N`, written as the registry
 * does, and its JSON log lines are handed to the tracker as the follower does; the report after it is
 * timed. Between pulls the CacheService's clock moves on past the hint's hold (15 s), so each report
 * follows one pull, as the benchmark asks, without waiting 15 s.
 */
async function appReport(dir: string, pulls: number, offset: number, repos: number, hooks: Hooks) {
  const settings = { ...defaultMirrorSettings({ DRPC_HOME: tmpdir() }), dataDir: dirname(dir) };
  if (mirrorDirs(settings).data !== dir) throw new Error(`the store must be <dataDir>/data: ${dir}`);
  const state = mkdtempSync(join(tmpdir(), 'drpc-bench-app-'));
  const docker = {
    getContainer: () => ({
      logs: async () => {
        throw Object.assign(new Error('no such container'), { statusCode: 404 });
      },
    }),
    modem: { demuxStream() {} },
  } as unknown as Docker;
  const mirror = { settings, inspect: async () => undefined, debugUrl: async () => undefined };
  let skew = 0;
  const refreshes: Array<{ hint: RefreshHint | undefined; ms: number; read: string[] }> = [];
  const cache = new CacheService({
    docker,
    mirror: mirror as unknown as Mirror,
    stateDir: state,
    now: () => Date.now() + skew,
    scanner: (root) => {
      const worker = createWorkerScanner(root);
      return {
        ...worker,
        async refreshSummary(hint) {
          const t0 = performance.now();
          const s = await worker.refreshSummary(hint);
          refreshes.push({ hint, ms: performance.now() - t0, read: s.work.repositoriesRead });
          return s;
        },
      };
    },
  });
  const engine = Object.assign(
    new EventEmitter<{ engine: [EngineHandle | undefined]; keeper: [KeeperEvent] }>(),
    {
      mirrorSettings: settings,
      cache: async () => cache,
      exclusive: async () => {
        throw new Error('no prunes here');
      },
    },
  );
  const runtime = new CacheRuntime({
    mirror: engine,
    history: new CacheHistory(memoryStore()),
    log: { info() {}, warn() {}, error() {} },
  });
  engine.emit('engine', { cache } as unknown as EngineHandle);
  const appReportMs: number[] = [];
  const appRefreshMs: number[] = [];
  const appHints: Array<string[] | null> = [];
  const appReposRead: string[][] = [];
  const appSampleMs: number[] = [];
  try {
    hooks.phase('first-report');
    await runtime.report(); // the first look: a full scan on the worker
    hooks.pause();
    await sleep(150); // past the racy window
    for (let i = 0; i < pulls; i++) {
      const repository = `library/app-${((offset + i) * 10) % repos}`;
      const tag = `app-pulled-${process.pid}-${i}`;
      const image = simulatePull(dir, repository, tag);
      cache.tracker.ingest(pullLogLines(repository, tag, image));
      await cache.tracker.flush();
      hooks.phase(`report-after-pull-${i}`);
      const t0 = performance.now();
      const report = await runtime.report();
      appReportMs.push(performance.now() - t0);
      hooks.pause();
      const seen = report.repositories.find((r) => r.name === repository)?.tags.some((t) => t.name === tag);
      if (!seen) throw new Error(`the report after the pull does not show ${repository}:${tag}`);
      const last = refreshes.at(-1)!;
      appRefreshMs.push(last.ms);
      appHints.push(last.hint ? last.hint.repositories : null);
      appReposRead.push([...last.read]);
      await sleep(150);
      skew += 20_000; // past the hold: the next report follows the next pull only
    }
    // The hourly size sample (CacheRuntime's `sample`): a refresh of the summary that looks everywhere.
    for (let i = 0; i < 3; i++) {
      hooks.phase(`sample-${i}`);
      const t0 = performance.now();
      await cache.summary({ whole: true });
      appSampleMs.push(performance.now() - t0);
      hooks.pause();
      await sleep(150);
    }
  } finally {
    runtime.stop();
    await cache.tracker.stop();
    await cache.close();
    rmSync(state, { recursive: true, force: true });
  }
  return { appReportMs, appRefreshMs, appHints, appReposRead, appSampleMs };
}

export async function run(
  variant: Variant,
  dir: string,
  pulls = 5,
  offset = 0,
  repos = 2000,
): Promise<ChildResult> {
  switch (variant) {
    case 'idle':
      // The floor: this process with nothing to do, and the event-loop jitter of a loaded machine.
      return measure(variant, async () => (await sleep(2000), {}));
    case 'worker-summary':
      return measure(variant, async (hooks) => {
        const scanner = createWorkerScanner(dir);
        hooks.workerHeap = async () => (await scanner.heapStatistics()).used_heap_size;
        try {
          const s = await scanner.refreshSummary();
          return { scanMs: s.durationMs, repositories: s.repositories.length, blobCount: s.blobCount };
        } finally {
          await scanner.close();
        }
      });
    case 'worker-full':
      return measure(variant, async () => {
        const s = await scanStoreInWorker(dir);
        return { scanMs: s.durationMs, repositories: s.repositories.length, blobCount: s.blobCount };
      });
    case 'in-process':
      return measure(variant, async () => {
        const s = await createScanner(dir).refresh();
        return { scanMs: s.durationMs, repositories: s.repositories.length, blobCount: s.blobCount };
      });
    case 'incremental-in-process':
      return measure(variant, async (hooks) => {
        const scanner = createScanner(dir);
        return incremental(dir, pulls, offset, repos, (hint) => scanner.refresh(hint), hooks);
      });
    case 'incremental-worker-full':
    case 'incremental-worker-summary':
      return measure(variant, async (hooks) => {
        const scanner = createWorkerScanner(dir);
        try {
          return await incremental(
            dir,
            pulls,
            offset,
            repos,
            (hint) =>
              variant === 'incremental-worker-full' ? scanner.refresh(hint) : scanner.refreshSummary(hint),
            hooks,
          );
        } finally {
          await scanner.close();
        }
      });
    case 'app-report':
      return measure(variant, (hooks) => appReport(dir, pulls, offset, repos, hooks));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [variant, dir, pulls, offset, repos] = process.argv.slice(2);
  if (!variant || !dir) {
    console.error('usage: scan-child.ts <variant> <storeDir> [pulls] [pullOffset] [repositories]');
    process.exit(2);
  }
  const result = await run(
    variant as Variant,
    dir,
    Number(pulls ?? 5),
    Number(offset ?? 0),
    Number(repos ?? 2000),
  );
  process.stdout.write(JSON.stringify(result) + '\n');
}
