// The storage scanner in-process: one full scan, or an incremental scanner that keeps its model of the
// store (store-model.ts) and on each refresh re-reads only what moved.
//
// The model's file-system calls are synchronous (fs-port.ts). Here, on the caller's thread, the refresh
// runs in slices of at most `sliceMs` (default 8 ms) with the event loop turning in between; on a
// worker thread (scan-worker.ts) the same refresh runs straight through. A large store belongs on the
// worker (worker-scanner.ts): in slices, a full scan takes about as long but shares the thread.
import { nodeFs, type ScanFs } from './fs-port.js';
import { StoreModel, type ModelOptions, type RefreshHint } from './store-model.js';
import type { ScanResult } from './types.js';

export type { RefreshHint } from './store-model.js';

export interface ScannerOptions {
  /** File-system calls (injectable to count them). */
  fs?: ScanFs;
  /** Accepted for compatibility; the calls are synchronous, one at a time. */
  concurrency?: number;
  /** mtimes this close to the moment they were read are not trusted for the next refresh. */
  racyWindowMs?: number;
  /** Longest stretch the refresh runs before letting the event loop turn (default 8 ms; 0: no slicing). */
  sliceMs?: number;
  /** whose collector's marking rules (store-model.ts ModelOptions.registry); default 2 */
  registry?: 2 | 3;
}

export interface Scanner {
  /**
   * Scans (the first time) or refreshes incrementally; concurrent calls run one after the other.
   * Results are read-only: parts that did not change are shared with the previous result.
   */
  refresh(hint?: RefreshHint): Promise<ScanResult>;
  readonly last: ScanResult | undefined;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs a generator to its end, letting the event loop turn every `sliceMs` (never when 0). */
export async function runSliced<T>(gen: Generator<void, T>, sliceMs: number): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const step = gen.next();
    if (step.done) return step.value;
    if (sliceMs > 0 && performance.now() - sliceStart >= sliceMs) {
      await turn();
      sliceStart = performance.now();
    }
  }
}

/** Runs a generator to its end, synchronously (on a worker thread). */
export function runToEnd<T>(gen: Generator<void, T>): T {
  for (;;) {
    const step = gen.next();
    if (step.done) return step.value;
  }
}

/** A model that starts over after a failed refresh (a refresh that threw may have stopped half-way). */
export class ModelHolder {
  private model: StoreModel;

  constructor(
    private readonly dataDir: string,
    private readonly options: ModelOptions,
  ) {
    this.model = new StoreModel(dataDir, options);
  }

  get current(): StoreModel {
    return this.model;
  }

  /** The refresh as a generator; on failure the model is replaced by an empty one. */
  *refresh(hint?: RefreshHint): Generator<void, StoreModel> {
    try {
      yield* this.model.refresh(hint);
      return this.model;
    } catch (err) {
      this.model = new StoreModel(this.dataDir, this.options);
      throw err;
    }
  }
}

export function createScanner(dataDir: string, options: ScannerOptions = {}): Scanner {
  const holder = new ModelHolder(dataDir, {
    fs: options.fs ?? nodeFs,
    racyWindowMs: options.racyWindowMs ?? 50,
    ...(options.registry ? { registry: options.registry } : {}),
  });
  const sliceMs = options.sliceMs ?? 8;
  let last: ScanResult | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  const scan = async (hint?: RefreshHint) => {
    const model = await runSliced(holder.refresh(hint), sliceMs);
    return runSliced(model.buildResult(), sliceMs);
  };

  return {
    refresh(hint) {
      const run = queue.then(
        () => scan(hint),
        () => scan(hint),
      );
      queue = run.then(
        (result) => (last = result),
        () => undefined,
      );
      return run;
    },
    get last() {
      return last;
    },
  };
}

/** One full scan of the store. */
export function scanStore(dataDir: string, options: ScannerOptions = {}): Promise<ScanResult> {
  return createScanner(dataDir, options).refresh();
}
