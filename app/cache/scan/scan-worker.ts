// Worker-thread side of the off-main-thread scanner: hosts one incremental scanner, keeps its last full
// result, and answers requests about it. Started by worker-scanner.ts; never imported by anything else
// (but its types, which define the protocol).
import { parentPort, workerData } from 'node:worker_threads';
import { planPrune, type PruneItem, type PrunePlan } from '../prune/plan.js';
import { createScanner } from './scanner.js';
import { summarize, type RepositorySummary, type ScanSummary } from './summary.js';
import type { RepositoryScan, ScanResult } from './types.js';

export interface WorkerInit {
  dataDir: string;
  concurrency?: number;
  racyWindowMs?: number;
}

/** A summary without its repositories, which follow in pages. */
export type SummaryHead = Omit<ScanSummary, 'repositories'>;

/** Every request the worker answers: its arguments and what it replies. */
export interface WorkerCalls {
  /** Refresh; the full result crosses. */
  refresh: { args: object; reply: ScanResult };
  /** Refresh; replies with the summary's head, its first page and how many repositories it holds. */
  summary: {
    args: { pageWeight: number };
    reply: { head: SummaryHead; total: number; page: RepositorySummary[] };
  };
  /** The next page of the summary that request `summaryId` produced. */
  page: { args: { summaryId: number; offset: number }; reply: RepositorySummary[] };
  /** planPrune on the last full scan (scanning first if there is none yet). */
  plan: { args: { items: PruneItem[]; reason?: string }; reply: PrunePlan };
  /** One repository of the last full scan, null when it has none of that name. */
  repository: { args: { name: string }; reply: RepositoryScan | null };
}
export type WorkerCall = keyof WorkerCalls;

export type WorkerRequest = {
  [K in WorkerCall]: { id: number; type: K } & WorkerCalls[K]['args'];
}[WorkerCall];

export interface WorkerError {
  message: string;
  name?: string;
  code?: string;
  details?: Record<string, unknown>;
  stack?: string;
}

export type WorkerReply =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WorkerError };

const init = workerData as WorkerInit;
const scanner = createScanner(init.dataDir, {
  ...(init.concurrency !== undefined ? { concurrency: init.concurrency } : {}),
  ...(init.racyWindowMs !== undefined ? { racyWindowMs: init.racyWindowMs } : {}),
});
/** Summaries whose pages are still being fetched, by the id of the request that made them. */
const summaries = new Map<number, { summary: ScanSummary; pageWeight: number }>();

const lastScan = async (): Promise<ScanResult> => scanner.last ?? scanner.refresh();

/**
 * Repositories from `offset` up to `pageWeight` (a repository weighs 1 plus its tags), at least one:
 * what each page costs the main thread to deserialize stays bounded whatever the tags per repository.
 */
function page(summary: ScanSummary, offset: number, pageWeight: number): RepositorySummary[] {
  const out: RepositorySummary[] = [];
  let weight = 0;
  for (let i = offset; i < summary.repositories.length; i++) {
    const r = summary.repositories[i] as RepositorySummary;
    weight += 1 + r.tags.length;
    if (out.length > 0 && weight > pageWeight) break;
    out.push(r);
  }
  return out;
}

function pageOf(id: number, offset: number): RepositorySummary[] {
  const held = summaries.get(id);
  if (!held) throw new Error(`no summary ${id} in progress`);
  const out = page(held.summary, offset, held.pageWeight);
  if (offset + out.length >= held.summary.repositories.length) summaries.delete(id);
  return out;
}

async function answer(req: WorkerRequest): Promise<unknown> {
  switch (req.type) {
    case 'refresh':
      return scanner.refresh();
    case 'summary': {
      const { repositories, ...head } = summarize(await scanner.refresh());
      summaries.set(req.id, { summary: { ...head, repositories }, pageWeight: req.pageWeight });
      return {
        head,
        total: repositories.length,
        page: pageOf(req.id, 0),
      } satisfies WorkerCalls['summary']['reply'];
    }
    case 'page':
      return pageOf(req.summaryId, req.offset);
    case 'plan':
      return planPrune(await lastScan(), init.dataDir, req.items, req.reason);
    case 'repository':
      return (await lastScan()).repositories.find((r) => r.name === req.name) ?? null;
  }
}

function describe(err: unknown): WorkerError {
  const e = err as (NodeJS.ErrnoException & { details?: Record<string, unknown> }) | undefined;
  return {
    message: String(e?.message ?? err),
    ...(e?.name ? { name: e.name } : {}),
    ...(e?.code ? { code: e.code } : {}),
    ...(e?.details ? { details: e.details } : {}),
    ...(e?.stack ? { stack: e.stack } : {}),
  };
}

parentPort?.on('message', (req: WorkerRequest) => {
  answer(req).then(
    (value) => parentPort?.postMessage({ id: req.id, ok: true, value } satisfies WorkerReply),
    (err: unknown) =>
      parentPort?.postMessage({ id: req.id, ok: false, error: describe(err) } satisfies WorkerReply),
  );
});
