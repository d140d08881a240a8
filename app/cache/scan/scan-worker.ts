// Worker-thread side of the off-main-thread scanner: hosts one incremental scanner and answers
// `refresh` requests. Started by worker-scanner.ts; never imported by anything else.
import { parentPort, workerData } from 'node:worker_threads';
import { createScanner } from './scanner.js';
import type { ScanResult } from './types.js';

export interface WorkerInit {
  dataDir: string;
  concurrency?: number;
  racyWindowMs?: number;
}

export type WorkerRequest = { id: number; type: 'refresh' };
export type WorkerReply =
  | { id: number; ok: true; result: ScanResult }
  | { id: number; ok: false; error: { message: string; code?: string; stack?: string } };

const init = workerData as WorkerInit;
const scanner = createScanner(init.dataDir, {
  ...(init.concurrency !== undefined ? { concurrency: init.concurrency } : {}),
  ...(init.racyWindowMs !== undefined ? { racyWindowMs: init.racyWindowMs } : {}),
});

parentPort?.on('message', (req: WorkerRequest) => {
  scanner.refresh().then(
    (result) => parentPort?.postMessage({ id: req.id, ok: true, result } satisfies WorkerReply),
    (err: unknown) => {
      const e = err as NodeJS.ErrnoException;
      parentPort?.postMessage({
        id: req.id,
        ok: false,
        error: {
          message: String(e?.message ?? err),
          ...(e?.code ? { code: e.code } : {}),
          ...(e?.stack ? { stack: e.stack } : {}),
        },
      } satisfies WorkerReply);
    },
  );
});
