// Runs the scanner on a worker thread so a 60,000-blob walk never blocks the app's main thread.
//
// What crosses back matters as much: deserializing a message (structured clone) runs on the receiving
// thread, and the full ScanResult of a 60,000-blob store took ~110 ms of it. So the app asks for a
// summary (`refreshSummary`), which arrives in pages, each one message deserialized on its own turn of
// the event loop; the worker keeps its model of the store and answers what needs more from it
// (`planPrune`, `repository`). After the first summary only what changed crosses: this side keeps the
// last summary and the worker sends the repositories added, changed or removed since (a pull: one).
// `refresh` and `scanStoreInWorker` still return the full result, for small stores, tests and tools.
//
// The worker file is the sibling `scan-worker` with this module's own extension (`scanWorkerEntry`), so
// it loads in every way the app runs:
// - from source (vitest, `npx tsx`, the browser bridge): `scan-worker.ts`, which plain Node cannot load
//   (and vitest's transform does not reach worker threads), so the worker gets tsx's loader through
//   `--import` (resolved from this file, so it works whatever the cwd; tsx is a dev dependency, needed
//   only from source);
// - compiled by tsc (`dist/**/*.js`, the CLI; bench/scan-child): `scan-worker.js` beside `worker-scanner.js`;
// - bundled (the Electron main process): this module is inlined into `out/main/index.mjs`, and the
//   main build (vite.main.config.ts) emits the worker, bundled on its own with nothing but Node's
//   built-ins to import, as `out/main/scan-worker.mjs`. Packaged, the bundle lies inside `app.asar` and
//   the worker is unpacked beside it (electron-builder.yml `asarUnpack`): a path through `app.asar/`
//   is taken to `app.asar.unpacked/`, where the worker is a plain file Node loads as it is.
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { HeapInfo } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../../util/errors.js';
import type { PruneItem, PrunePlan } from '../prune/plan.js';
import type { StoreLook } from './store-look.js';
import type { AccessRecords } from '../access/records.js';
import type {
  PlanSelection,
  WorkerCall,
  WorkerCalls,
  WorkerError,
  WorkerInit,
  WorkerReply,
  WorkerRequest,
} from './scan-worker.js';
import type { RefreshHint } from './store-model.js';
import type { RepositorySummary, ScanSummary } from './summary.js';
import type { TagSize } from './tag-sizes.js';
import type { RepositoryScan, ScanResult } from './types.js';

export interface WorkerScanner {
  /**
   * Incremental refresh on the worker (the first call is a full scan); the whole result crosses to
   * this thread. On a large store prefer `refreshSummary`.
   */
  refresh(hint?: RefreshHint): Promise<ScanResult>;
  /**
   * Incremental refresh on the worker; only its summary crosses, the repositories in pages, and after
   * the first summary only the repositories that changed. Entries of repositories that did not change
   * are the same objects as in the previous summary: summaries are read-only. `planPrune` and
   * `repository` answer from the same refresh.
   */
  refreshSummary(hint?: RefreshHint): Promise<ScanSummary>;
  /**
   * `planPrune` (app/cache/prune/plan.ts) run on the worker with its last full scan, i.e. the one the
   * last `refresh`/`refreshSummary` returned (a scan is made first if there is none), and the data dir
   * as the storage root.
   */
  planPrune(items: PruneItem[], reason?: string): Promise<PrunePlan>;
  /**
   * Refreshes, then plans on that refresh: chosen items (`planPrune`), or a retention rule (not pulled
   * for N days, shrink to, quota), which is applied on the worker: it counts every repository's blobs.
   */
  planNow(
    selection: PlanSelection,
    access?: AccessRecords,
    now?: number,
    hint?: RefreshHint,
  ): Promise<PrunePlan>;
  /** Refreshes (looking everywhere), then answers what a prune's sweep needs (prune/sweep.ts `lookOf`). */
  look(ask: readonly string[]): Promise<StoreLook>;
  /** Everything the last full scan knows of one repository (digest lists included), or undefined. */
  repository(name: string): Promise<RepositoryScan | undefined>;
  /** Every tag of a repository with its image's size, read from the store on the worker. */
  tagSizes(repository: string): Promise<TagSize[]>;
  /** The worker's V8 heap, for diagnostics and benchmarks. */
  heapStatistics(): Promise<HeapInfo>;
  /** Stops the worker; pending requests are rejected. */
  close(): Promise<void>;
}

export interface WorkerScannerOptions extends Omit<WorkerInit, 'dataDir'> {
  /**
   * Upper bound of one summary page, counting 1 per repository plus 1 per tag (at least one repository
   * per page): what a page costs this thread to deserialize. Default 500: on the 2,000-repository,
   * 10,000-tag benchmark store a page then cost 3 to 5 ms of main-thread CPU (up to 11 ms on a loaded
   * machine), the whole summary in one message 21 to 24 ms. See docs/benchmarks.md.
   */
  pageWeight?: number;
}

const DEFAULT_PAGE_WEIGHT = 500;
const YOUNG_GENERATION_MB = 4;

/**
 * The worker's file for a module at `moduleUrl` (this one's, wherever it runs): the sibling
 * `scan-worker` with the module's extension, outside `app.asar`, and the loader it needs.
 */
export function scanWorkerEntry(moduleUrl: string): { url: URL; execArgv: string[] } {
  const ext = extname(fileURLToPath(moduleUrl));
  const sibling = new URL(`./scan-worker${ext}`, moduleUrl);
  // `/app.asar/` as a path segment: a file of the packaged app, unpacked beside the archive.
  const url = new URL(sibling.href.replace(/\.asar\//, '.asar.unpacked/'));
  const execArgv =
    ext === '.ts' ? ['--import', pathToFileURL(createRequire(moduleUrl).resolve('tsx')).href] : [];
  return { url, execArgv };
}

function startWorker(init: WorkerInit): Worker {
  const { url, execArgv } = scanWorkerEntry(import.meta.url);
  // A scan allocates a Stats object per lstat, all short-lived: a small young generation collects them
  // as often and keeps the worker's resident memory down (benchmark store: about 145 MB peak RSS with
  // V8's default, about 120 MB with 4 MB, scan time unchanged; docs/benchmarks.md).
  return new Worker(url, {
    workerData: init,
    execArgv,
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
}

/** The worker's error as this side's: an AppError stays one (its code is what the UI and CLI show). */
function revive(e: WorkerError): Error {
  if (e.name === 'AppError' && e.code) return new AppError(e.code as ErrorCode, e.message, e.details);
  return Object.assign(new Error(e.message), e);
}

export function createWorkerScanner(dataDir: string, options: WorkerScannerOptions = {}): WorkerScanner {
  const { pageWeight = DEFAULT_PAGE_WEIGHT, ...init } = options;
  const worker = startWorker({ dataDir, ...init });
  // An idle worker does not keep the process alive (a CLI command ends when its work does); one with
  // requests in flight does.
  worker.unref();
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let failure: Error | undefined;

  const failAll = (err: Error) => {
    failure ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    worker.unref();
  };
  worker.on('message', (reply: WorkerReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    if (reply.ok) p.resolve(reply.value);
    else p.reject(revive(reply.error));
  });
  worker.on('error', (err) => failAll(err));
  worker.on('exit', (code) => failAll(new Error(`scan worker exited (code ${code})`)));

  function call<K extends WorkerCall>(
    type: K,
    args: WorkerCalls[K]['args'],
    id = nextId++,
  ): Promise<WorkerCalls[K]['reply']> {
    if (failure) return Promise.reject(failure);
    return new Promise((resolve, reject) => {
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...args, id, type } as WorkerRequest);
    });
  }

  /** The last summary received whole, and its version: the base of the next delta. */
  let held: { version: number; summary: ScanSummary } | undefined;
  /** Summaries run one at a time (each is a delta against the one before). */
  let summaries: Promise<unknown> = Promise.resolve();

  async function summary(hint: RefreshHint | undefined): Promise<ScanSummary> {
    const summaryId = nextId++;
    const first = await call(
      'summary',
      { pageWeight, ...(hint ? { hint } : {}), ...(held ? { have: held.version } : {}) },
      summaryId,
    );
    const items: RepositorySummary[] = [...first.page];
    // One page per message, the next asked for only once this one is in: pages never queue up on
    // this side (a port delivers every queued message in one go, which would block as one big one).
    while (items.length < first.total) {
      const next = await call('page', { summaryId, offset: items.length });
      if (next.length === 0) throw new Error('scan worker returned an empty summary page');
      for (const r of next) items.push(r);
    }
    let repositories = items;
    if (first.base !== null) {
      if (first.base !== held?.version) throw new Error('scan worker sent a delta against another summary');
      repositories = merge(held.summary.repositories, items, new Set(first.removed));
    }
    const result = { ...first.head, repositories };
    held = { version: first.version, summary: result };
    return result;
  }

  return {
    refresh: (hint) => call('refresh', hint ? { hint } : {}),
    refreshSummary(hint) {
      const run = summaries.then(
        () => summary(hint),
        () => summary(hint),
      );
      summaries = run.catch(() => undefined);
      return run;
    },
    planPrune: (items, reason) => call('plan', { items, ...(reason !== undefined ? { reason } : {}) }),
    planNow: (selection, access, now = Date.now(), hint) =>
      call('planNow', {
        selection,
        now,
        ...(access !== undefined ? { access } : {}),
        ...(hint !== undefined ? { hint } : {}),
      }),
    look: (ask) => call('look', { ask: [...ask] }),
    repository: async (name) => (await call('repository', { name })) ?? undefined,
    tagSizes: (repository) => call('tagSizes', { repository }),
    heapStatistics: () => worker.getHeapStatistics(),
    async close() {
      failAll(new Error('scan worker closed'));
      await worker.terminate();
    },
  };
}

/**
 * The previous repositories (sorted by name) with `changed` (sorted, new or replacing one of the same
 * name) merged in and `removed` left out.
 */
function merge(
  previous: RepositorySummary[],
  changed: RepositorySummary[],
  removed: Set<string>,
): RepositorySummary[] {
  const out: RepositorySummary[] = [];
  let j = 0;
  for (const p of previous) {
    while (j < changed.length && (changed[j] as RepositorySummary).name < p.name) out.push(changed[j++]!);
    if (j < changed.length && (changed[j] as RepositorySummary).name === p.name) out.push(changed[j++]!);
    else if (!removed.has(p.name)) out.push(p);
  }
  while (j < changed.length) out.push(changed[j++]!);
  return out;
}

/** One full scan on a worker thread; the worker is stopped afterwards. */
export async function scanStoreInWorker(
  dataDir: string,
  options: WorkerScannerOptions = {},
): Promise<ScanResult> {
  const scanner = createWorkerScanner(dataDir, options);
  try {
    return await scanner.refresh();
  } finally {
    await scanner.close();
  }
}
