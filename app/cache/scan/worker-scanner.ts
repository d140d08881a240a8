// Runs the scanner on a worker thread so a 60,000-blob walk never blocks the app's main thread.
//
// The worker file must load both from source (vitest, `npx tsx`) and compiled (`dist/**/*.js`):
// compiled, this module is `worker-scanner.js` and the worker is the sibling `scan-worker.js`;
// from source, the worker is `scan-worker.ts`, which plain Node cannot load (and vitest's transform
// does not reach worker threads), so the worker gets tsx's loader through `--import` (resolved
// from this file, so it works whatever the cwd; tsx is a dev dependency, needed only from source).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerInit, WorkerReply } from './scan-worker.js';
import type { ScanResult } from './types.js';

export interface WorkerScanner {
  /** Incremental refresh on the worker (the first call is a full scan). */
  refresh(): Promise<ScanResult>;
  /** Stops the worker; pending refreshes are rejected. */
  close(): Promise<void>;
}

export type WorkerScannerOptions = Omit<WorkerInit, 'dataDir'>;

function startWorker(init: WorkerInit): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(fromSource ? './scan-worker.ts' : './scan-worker.js', import.meta.url);
  const execArgv = fromSource
    ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href]
    : [];
  return new Worker(url, { workerData: init, execArgv });
}

export function createWorkerScanner(dataDir: string, options: WorkerScannerOptions = {}): WorkerScanner {
  const worker = startWorker({ dataDir, ...options });
  const pending = new Map<number, { resolve: (r: ScanResult) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let failure: Error | undefined;

  const failAll = (err: Error) => {
    failure ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('message', (reply: WorkerReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.result);
    else p.reject(Object.assign(new Error(reply.error.message), reply.error));
  });
  worker.on('error', (err) => failAll(err));
  worker.on('exit', (code) => failAll(new Error(`scan worker exited (code ${code})`)));

  return {
    refresh() {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise<ScanResult>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, type: 'refresh' });
      });
    },
    async close() {
      failAll(new Error('scan worker closed'));
      await worker.terminate();
    },
  };
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
