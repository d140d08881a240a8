// Worker-thread side of the off-main-thread scanner: hosts one store model, refreshes it (synchronous
// file-system calls, straight through: nothing else runs on this thread), and answers requests about
// its last refresh. Started by worker-scanner.ts; never imported by anything else (but its types,
// which define the protocol).
import { parentPort, workerData } from 'node:worker_threads';
import type { AccessRecords } from '../access/records.js';
import { planPrune, type PruneItem, type PrunePlan } from '../prune/plan.js';
import { selectByRule, type RetentionRule } from '../retention.js';
import { nodeFs } from './fs-port.js';
import { ModelHolder, runToEnd } from './scanner.js';
import type { StoreLook } from './store-look.js';
import type { RefreshHint, StoreModel, SummaryHead } from './store-model.js';
import type { RepositorySummary } from './summary.js';
import { tagSizes, type TagSize } from './tag-sizes.js';
import type { RepositoryScan, ScanResult } from './types.js';

export type { SummaryHead } from './store-model.js';

export interface WorkerInit {
  dataDir: string;
  /** Accepted for compatibility; the worker's calls are synchronous. */
  concurrency?: number;
  racyWindowMs?: number;
  /** whose collector's marking rules (store-model.ts ModelOptions.registry); default 2 */
  registry?: 2 | 3;
}

/**
 * A summary as it crosses: the head, then the repositories in pages. When the asking side says which
 * summary it holds (`have`) and the worker still knows it, only what changed since crosses: repositories
 * removed, then the new or changed ones (`total` of them, sorted by name) in pages.
 */
export interface SummaryReply {
  head: SummaryHead;
  /** This summary's version: pass it as `have` next time. */
  version: number;
  /** The version this is a delta against; null for a whole summary. */
  base: number | null;
  /** Names no longer in the summary (delta only). */
  removed: string[];
  /** How many repositories follow (all of them, or the new and changed ones). */
  total: number;
  page: RepositorySummary[];
}

/** What `planNow` plans: chosen repositories and tags, or a retention rule decided on the fresh scan. */
export type PlanSelection = { kind: 'items'; items: PruneItem[]; reason?: string } | RetentionRule;

/** Every request the worker answers: its arguments and what it replies. */
export interface WorkerCalls {
  /** Refresh; the full result crosses. */
  refresh: { args: { hint?: RefreshHint }; reply: ScanResult };
  /** Refresh; replies with the summary's head and its first page. */
  summary: { args: { pageWeight: number; hint?: RefreshHint; have?: number }; reply: SummaryReply };
  /** The next page of the summary that request `summaryId` produced. */
  page: { args: { summaryId: number; offset: number }; reply: RepositorySummary[] };
  /** planPrune on the last full scan (scanning first if there is none yet). */
  plan: { args: { items: PruneItem[]; reason?: string }; reply: PrunePlan };
  /** Refresh, then plan (a retention rule is applied to that refresh here: it counts every blob). */
  planNow: {
    args: { selection: PlanSelection; access?: AccessRecords; now: number; hint?: RefreshHint };
    reply: PrunePlan;
  };
  /** Refresh (looking everywhere), then what a prune's sweep needs of the store (prune/sweep.ts). */
  look: { args: { ask: string[] }; reply: StoreLook };
  /** One repository of the last full scan, null when it has none of that name. */
  repository: { args: { name: string }; reply: RepositoryScan | null };
  /** Every tag of a repository with its image's size, read from the store now (tag-sizes.ts). */
  tagSizes: { args: { repository: string }; reply: TagSize[] };
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
// Full results are made for a plan or a `refresh` call and not kept: summaries are what this thread
// sends most, and what it keeps between refreshes is the compact model only.
const holder = new ModelHolder(init.dataDir, {
  fs: nodeFs,
  racyWindowMs: init.racyWindowMs ?? 50,
  keepResults: false,
  ...(init.registry ? { registry: init.registry } : {}),
});
/** Summaries whose pages are still being fetched, by the id of the request that made them. */
const pending = new Map<number, { items: RepositorySummary[]; pageWeight: number }>();
/** The last summary sent: its version and entries by name (compared by identity for the next delta). */
let sent: { version: number; byName: Map<string, RepositorySummary> } | undefined;
let version = 0;

const refreshed = (hint?: RefreshHint): StoreModel => runToEnd(holder.refresh(hint));
const lastModel = (): StoreModel => (holder.current.scanned ? holder.current : refreshed());

/**
 * Repositories from `offset` up to `pageWeight` (a repository weighs 1 plus its tags), at least one:
 * what each page costs the main thread to deserialize stays bounded whatever the tags per repository.
 */
function page(items: RepositorySummary[], offset: number, pageWeight: number): RepositorySummary[] {
  const out: RepositorySummary[] = [];
  let weight = 0;
  for (let i = offset; i < items.length; i++) {
    const r = items[i] as RepositorySummary;
    weight += 1 + r.tags.length;
    if (out.length > 0 && weight > pageWeight) break;
    out.push(r);
  }
  return out;
}

function pageOf(id: number, offset: number): RepositorySummary[] {
  const held = pending.get(id);
  if (!held) throw new Error(`no summary ${id} in progress`);
  const out = page(held.items, offset, held.pageWeight);
  if (offset + out.length >= held.items.length) pending.delete(id);
  return out;
}

function summary(id: number, args: WorkerCalls['summary']['args']): SummaryReply {
  const model = refreshed(args.hint);
  const all = model.repositorySummaries();
  const byName = new Map(all.map((r) => [r.name, r]));
  const base = sent !== undefined && args.have === sent.version ? sent : undefined;
  let items = all;
  const removed: string[] = [];
  if (base) {
    items = all.filter((r) => base.byName.get(r.name) !== r);
    for (const name of base.byName.keys()) if (!byName.has(name)) removed.push(name);
  }
  sent = { version: ++version, byName };
  pending.set(id, { items, pageWeight: args.pageWeight });
  return {
    head: model.head(),
    version: sent.version,
    base: base ? base.version : null,
    removed,
    total: items.length,
    page: pageOf(id, 0),
  };
}

function answer(req: WorkerRequest): unknown {
  switch (req.type) {
    case 'refresh':
      return refreshed(req.hint).result();
    case 'summary':
      return summary(req.id, req);
    case 'page':
      return pageOf(req.summaryId, req.offset);
    case 'plan':
      return planPrune(lastModel().result(), init.dataDir, req.items, req.reason);
    case 'planNow': {
      const scan = refreshed(req.hint).result();
      const { selection } = req;
      const { items, reason } =
        selection.kind === 'items'
          ? { items: selection.items, reason: selection.reason ?? 'chosen' }
          : selectByRule(scan, req.access, selection, req.now);
      return planPrune(scan, init.dataDir, items, reason);
    }
    case 'look':
      return refreshed().sweepLook(req.ask);
    case 'repository':
      return lastModel().repository(req.name) ?? null;
    case 'tagSizes':
      return tagSizes(init.dataDir, req.repository);
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

// One request at a time, in order (a plan waits for the refresh before it; tag sizes, read with
// promises, hold the queue until they are in).
let queue: Promise<void> = Promise.resolve();
parentPort?.on('message', (req: WorkerRequest) => {
  queue = queue
    .then(() => answer(req))
    .then(
      (value) => parentPort?.postMessage({ id: req.id, ok: true, value } satisfies WorkerReply),
      (err: unknown) =>
        parentPort?.postMessage({ id: req.id, ok: false, error: describe(err) } satisfies WorkerReply),
    );
});
