// For component tests: an API that answers from a table (what main would answer), records the calls,
// and emits events on demand; and the providers every view needs.
import { configure } from '@testing-library/react';
import type { ReactNode } from 'react';
import type { CallArgs, DrpcApi } from '../app/contract/api.js';
import type { CallOutput } from '../app/contract/calls.js';
import type { CallError, Result } from '../app/contract/envelope.js';
import type { EventPayload } from '../app/contract/events.js';
import type { CallName, EventName } from '../app/contract/names.js';
import type { CacheReport, CacheRepository } from '../app/cache/report.js';
import { ApiProvider } from './api/context.js';
import { ModelProvider } from './api/model.js';
import { WAIT_MS } from '../testbed/deadline.js';

// findBy* and waitFor give up after 1 s by default: too soon on a loaded machine (testbed/deadline.ts).
configure({ asyncUtilTimeout: WAIT_MS });

type Answer<N extends CallName> =
  | CallOutput<N>
  | CallError
  | ((input: unknown) => CallOutput<N> | CallError | Promise<CallOutput<N> | CallError>);
export type Answers = { [N in CallName]?: Answer<N> };

export interface FakeApi extends DrpcApi {
  calls: Array<{ name: CallName; input: unknown }>;
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void;
  answers: Answers;
}

function isError(v: unknown): v is CallError {
  return typeof v === 'object' && v !== null && 'code' in v && 'message' in v && !('state' in v);
}

export function fakeApi(answers: Answers): FakeApi {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const api: FakeApi = {
    version: 1,
    calls: [],
    answers,
    async call<N extends CallName>(name: N, ...args: CallArgs<N>): Promise<Result<CallOutput<N>>> {
      api.calls.push({ name, input: args[0] });
      const a = (api.answers as Record<string, unknown>)[name];
      if (a === undefined)
        return { ok: false, error: { code: 'INTERNAL', message: `no answer for ${name}` } };
      const v = typeof a === 'function' ? await (a as (i: unknown) => unknown)(args[0]) : a;
      return isError(v) ? { ok: false, error: v } : { ok: true, value: v as CallOutput<N> };
    },
    on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      const l = listener as (p: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
    emit(name, payload) {
      for (const l of listeners.get(name) ?? []) l(payload);
    },
  };
  return api;
}

export function Providers({ api, children }: { api: DrpcApi; children: ReactNode }) {
  return (
    <ApiProvider api={api}>
      <ModelProvider>{children}</ModelProvider>
    </ApiProvider>
  );
}

const DAY = 86_400_000;
export const NOW = Date.UTC(2025, 2, 12, 12, 0, 0);

export function repo(name: string, totalBytes: number, opts: Partial<CacheRepository> = {}): CacheRepository {
  return {
    name,
    tags: [{ name: 'latest', digest: `sha256:${'a'.repeat(64)}`, lastPull: NOW - DAY, pulls: 1 }],
    totalBytes,
    exclusiveBytes: Math.round(totalBytes / 2),
    sharedBytes: totalBytes - Math.round(totalBytes / 2),
    lastPull: NOW - DAY,
    pulls: 1,
    digestPulls: 0,
    ...opts,
  };
}

export function report(repositories: CacheRepository[]): CacheReport {
  const blobBytes = repositories.reduce((n, r) => n + r.exclusiveBytes, 0) + 1000;
  return {
    scannedAt: NOW,
    repositories,
    totals: {
      repositories: repositories.length,
      tags: repositories.reduce((n, r) => n + r.tags.length, 0),
      blobBytes,
      diskBytes: blobBytes,
      orphanBytes: 0,
      uploads: { count: 0, bytes: 0 },
      missingLinks: 0,
    },
    volume: { freeBytes: 50 * 1000 ** 3, totalBytes: 100 * 1000 ** 3, full: false },
    stats: {
      blobs: { requests: 4, hits: 3, misses: 1, bytesFromCache: 3000, bytesFromUpstream: 1000 },
      manifests: { requests: 2, hits: 1, misses: 1, bytesPulled: 0, bytesPushed: 0 },
      hitRatio: 0.75,
      bytesSaved: 3000,
      bytesFromUpstream: 1000,
      bytesServed: 4000,
      since: '',
    },
  };
}
