// The API object for the whole UI, and small hooks over it: a call's result as state, an event as a
// subscription. Components never see how the API reaches main (preload or bridge).
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { CallArgs, DrpcApi } from '../../app/contract/api.js';
import type { CallOutput } from '../../app/contract/calls.js';
import type { CallError } from '../../app/contract/envelope.js';
import type { EventPayload } from '../../app/contract/events.js';
import type { CallName, EventName } from '../../app/contract/names.js';

const ApiContext = createContext<DrpcApi | null>(null);

export function ApiProvider({ api, children }: { api: DrpcApi; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): DrpcApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiProvider');
  return api;
}

/** Listens to an event for the component's lifetime; the latest listener is always the one called. */
export function useEvent<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): void {
  const api = useApi();
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => api.on(name, (p) => ref.current(p)), [api, name]);
}

export interface Loadable<T> {
  value: T | undefined;
  error: CallError | undefined;
  loading: boolean;
  /** calls again; the old value stays while the new one loads */
  reload: () => Promise<void>;
}

/** A call made on mount (and on reload), its last value and its last error. */
export function useCall<N extends CallName>(name: N, ...args: CallArgs<N>): Loadable<CallOutput<N>> {
  const api = useApi();
  const [value, setValue] = useState<CallOutput<N>>();
  const [error, setError] = useState<CallError>();
  const [loading, setLoading] = useState(true);
  const argsKey = JSON.stringify(args);
  const seq = useRef(0);
  const reload = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    const r = await api.call(name, ...(JSON.parse(argsKey ?? '[]') as CallArgs<N>));
    // An older answer arriving after a newer one is dropped.
    if (mine !== seq.current) return;
    if (r.ok) {
      setValue(r.value);
      setError(undefined);
    } else setError(r.error);
    setLoading(false);
  }, [api, name, argsKey]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { value, error, loading, reload };
}

/** Runs an action (a button's call) with its busy state and its last error. */
export function useAction<A extends unknown[], T>(
  fn: (...args: A) => Promise<{ ok: true; value: T } | { ok: false; error: CallError }>,
) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CallError>();
  const [result, setResult] = useState<T>();
  const ref = useRef(fn);
  ref.current = fn;
  const run = useCallback(async (...args: A) => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await ref.current(...args);
      if (r.ok) setResult(r.value);
      else setError(r.error);
      return r;
    } finally {
      setBusy(false);
    }
  }, []);
  const clear = useCallback(() => {
    setError(undefined);
    setResult(undefined);
  }, []);
  return { run, busy, error, result, clear };
}
