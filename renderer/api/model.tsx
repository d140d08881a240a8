// The state every view shares, kept current by the contract's events: the mirror's status and running
// operation, the upstream, the settings, the cache report and its size history, notices, and what the
// app did by itself to keep the mirror serving (the latest mode switch and the latest recovery).
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import type { CacheReport } from '../../app/cache/report.js';
import type { CallError } from '../../app/contract/envelope.js';
import type {
  CacheProgress,
  HistorySample,
  Notice,
  Operation,
  Progress,
  UpstreamState,
} from '../../app/contract/values.js';
import type { MirrorStatus } from '../../app/mirror/status.js';
import type { AppSettings } from '../../app/settings/app-settings.js';
import { isKeeperNotice, type KeeperNotice } from '../lib/status.js';
import { useApi, useCall, useEvent, type Loadable } from './context.js';

export interface Model {
  status: MirrorStatus | undefined;
  statusError: CallError | undefined;
  operation: Operation;
  /** the latest pull or verify progress of the running mirror operation */
  progress: Progress | undefined;
  /** the latest prune or reset progress */
  cacheProgress: CacheProgress | undefined;
  upstream: UpstreamState | undefined;
  settings: AppSettings | undefined;
  report: Loadable<CacheReport>;
  history: Loadable<HistorySample[]>;
  notices: Notice[];
  dismissNotice(id: string): void;
  /** the latest mode switch and the latest recovery the keeper told (mirror.keeper), until dismissed */
  keeperNotices: KeeperNotice[];
  dismissKeeperNotice(kind: KeeperNotice['kind']): void;
  recheck(): Promise<void>;
}

const ModelContext = createContext<Model | null>(null);

export function useModel(): Model {
  const m = useContext(ModelContext);
  if (!m) throw new Error('useModel outside ModelProvider');
  return m;
}

/** Re-reads the report this long after the last reason to (pulls come in bursts of log lines). */
const REPORT_DEBOUNCE_MS = 250;

export function ModelProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const [status, setStatus] = useState<MirrorStatus>();
  const [statusError, setStatusError] = useState<CallError>();
  const [operation, setOperation] = useState<Operation>(null);
  const [progress, setProgress] = useState<Progress>();
  const [cacheProgress, setCacheProgress] = useState<CacheProgress>();
  const [upstream, setUpstream] = useState<UpstreamState>();
  const [settings, setSettings] = useState<AppSettings>();
  const [notices, setNotices] = useState<Notice[]>([]);
  const [keeperNotices, setKeeperNotices] = useState<KeeperNotice[]>([]);
  const report = useCall('cache.report');
  const history = useCall('cache.history');

  const recheck = useCallback(async () => {
    const r = await api.call('mirror.status');
    if (r.ok) {
      setStatus(r.value);
      setStatusError(undefined);
    } else setStatusError(r.error);
  }, [api]);

  useEffect(() => {
    void recheck();
    void api.call('settings.get').then((r) => r.ok && setSettings(r.value));
    void api.call('upstream.status').then((r) => r.ok && setUpstream(r.value));
    void api.call('notices.list').then((r) => r.ok && setNotices(r.value));
  }, [api, recheck]);

  const reportTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const reloadReport = useCallback(() => {
    clearTimeout(reportTimer.current);
    reportTimer.current = setTimeout(() => {
      void report.reload();
      void history.reload();
    }, REPORT_DEBOUNCE_MS);
  }, [report, history]);
  useEffect(() => () => clearTimeout(reportTimer.current), []);

  const lastState = useRef<string | undefined>(undefined);
  const reachable = status?.engine.reachable;
  const state = status?.state;
  // main retires notices whose condition cleared (Docker back, the mirror serving) without an event.
  useEffect(() => {
    if (state === undefined) return;
    void api.call('notices.list').then((r) => r.ok && setNotices(r.value));
  }, [api, state, reachable]);
  useEvent('mirror.status', (s) => {
    setStatus(s);
    setStatusError(undefined);
    // Back from Docker being away, or started: what is cached may read differently now.
    if (lastState.current && lastState.current !== s.state && s.state === 'running') reloadReport();
    lastState.current = s.state;
  });
  useEffect(() => {
    lastState.current = status?.state;
  }, [status?.state]);
  useEvent('mirror.operation', (op) => {
    setOperation(op);
    if (op === null) setProgress(undefined);
  });
  useEvent('mirror.progress', setProgress);
  useEvent('cache.progress', setCacheProgress);
  // Saved settings change what is live only once applied: read the status again so the header can say
  // "changed, not applied" (the service rebuilds its engine handle meanwhile: ask until the status is of
  // the new settings, a few times at most).
  const settingsTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEvent('settings.changed', (next) => {
    setSettings(next);
    clearTimeout(settingsTimer.current);
    let tries = 0;
    const ask = async () => {
      const r = await api.call('mirror.status');
      if (r.ok) setStatus(r.value);
      const current = r.ok && Number(new URL(r.value.mirrorUrl).port || 80) === next.mirror.port;
      if (!current && ++tries < 10) settingsTimer.current = setTimeout(() => void ask(), 500);
    };
    void ask();
  });
  useEffect(() => () => clearTimeout(settingsTimer.current), []);
  useEvent('upstream.status', setUpstream);
  useEvent('notice', () => void api.call('notices.list').then((r) => r.ok && setNotices(r.value)));
  // The latest recovery (the core never sends one for the user's own start racing the keeper).
  useEvent('mirror.keeper', (e) => {
    if (!isKeeperNotice(e)) return;
    setKeeperNotices((list) => [...list.filter((n) => n.kind !== e.kind), e]);
  });
  useEvent('cache.changed', (change) => {
    if (change.reason === 'sampled') void history.reload();
    else reloadReport();
  });

  const dismissNotice = useCallback(
    (id: string) => void api.call('notices.dismiss', { id }).then((r) => r.ok && setNotices(r.value)),
    [api],
  );

  const dismissKeeperNotice = useCallback(
    (kind: KeeperNotice['kind']) => setKeeperNotices((list) => list.filter((n) => n.kind !== kind)),
    [],
  );

  const value = useMemo<Model>(
    () => ({
      status,
      statusError,
      operation,
      progress,
      cacheProgress,
      upstream,
      settings,
      report,
      history,
      notices,
      dismissNotice,
      keeperNotices,
      dismissKeeperNotice,
      recheck,
    }),
    [
      status,
      statusError,
      operation,
      progress,
      cacheProgress,
      upstream,
      settings,
      report,
      history,
      notices,
      dismissNotice,
      keeperNotices,
      dismissKeeperNotice,
      recheck,
    ],
  );
  return <ModelContext.Provider value={value}>{children}</ModelContext.Provider>;
}
