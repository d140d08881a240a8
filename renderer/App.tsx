// The app's frame: in the popover (narrow) the header, a tab bar and the view; as a window (wide) a
// sidebar beside them. The hash names the view (#repositories, #disk, #prune, #engines, #settings;
// #configure, which the tray's "Configure Docker…" opens, is the engines view).
import { useCallback, useEffect, useRef, useState, useSyncExternalStore, type KeyboardEvent } from 'react';
import type { CallError } from '../app/contract/envelope.js';
import { useApi } from './api/context.js';
import { useModel } from './api/model.js';
import { Dialog } from './components/Dialog.js';
import { Header } from './components/Header.js';
import { Callout } from './components/controls.js';
import { Icon, type IconName } from './components/icons.js';
import { pruneSelection } from './lib/repos.js';
import { keeperNoticeView, problemOf, type Problem } from './lib/status.js';
import { DiskView } from './views/DiskView.js';
import { EnginesView } from './views/EnginesView.js';
import { PruneView } from './views/PruneView.js';
import { RepositoriesView } from './views/RepositoriesView.js';
import { SettingsView } from './views/SettingsView.js';

export type ViewId = 'repositories' | 'disk' | 'prune' | 'engines' | 'settings';

export const VIEWS: Array<{ id: ViewId; label: string; icon: IconName }> = [
  { id: 'repositories', label: 'Repositories', icon: 'repositories' },
  { id: 'disk', label: 'Disk', icon: 'disk' },
  { id: 'prune', label: 'Prune', icon: 'prune' },
  { id: 'engines', label: 'Engines', icon: 'engines' },
  { id: 'settings', label: 'Settings', icon: 'settings' },
];

export function viewOfHash(hash: string): ViewId {
  const h = hash.replace(/^#\/?/, '');
  if (h === 'configure') return 'engines';
  return VIEWS.some((v) => v.id === h) ? (h as ViewId) : 'repositories';
}

const WIDE = '(min-width: 640px)';

function useWide(): boolean {
  return useSyncExternalStore(
    (cb) => {
      const mq = window.matchMedia(WIDE);
      mq.addEventListener('change', cb);
      return () => mq.removeEventListener('change', cb);
    },
    () => window.matchMedia(WIDE).matches,
  );
}

export function App() {
  const wide = useWide();
  const [view, setView] = useState<ViewId>(() => viewOfHash(location.hash));
  const [selection, setSelection] = useState<Set<string>>(new Set());
  const [lastError, setLastError] = useState<CallError>();
  const { report } = useModel();

  useEffect(() => {
    const onHash = () => setView(viewOfHash(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const navigate = useCallback((v: ViewId) => {
    setView(v);
    history.replaceState(null, '', `#${v}`);
  }, []);

  // What was pruned or reset is no longer selectable.
  const repos = report.value?.repositories;
  useEffect(() => {
    if (!repos) return;
    setSelection((s) => {
      const live = s.size ? pruneSelection(s, repos) : s;
      // The same selection stays the same object: a preview made from it stays valid.
      return live.size === s.size ? s : live;
    });
  }, [repos]);

  return (
    <div className={`app ${wide ? 'wide' : 'compact'}`}>
      {wide ? (
        <nav className="sidebar" aria-label="Sections">
          <div className="sidebar-title">Registry Cache</div>
          <Tabs view={view} onChange={navigate} vertical />
        </nav>
      ) : null}
      <div className="main">
        <Header onError={setLastError} />
        {!wide ? <Tabs view={view} onChange={navigate} /> : null}
        <Problems lastError={lastError} onNavigate={navigate} onError={setLastError} />
        <div className="panel" role="tabpanel" id="panel" aria-labelledby={`tab-${view}`}>
          {view === 'repositories' ? (
            <RepositoriesView
              selection={selection}
              onSelectionChange={setSelection}
              onPrune={() => navigate('prune')}
              onNavigate={navigate}
            />
          ) : view === 'disk' ? (
            <DiskView onNavigate={navigate} />
          ) : view === 'prune' ? (
            <PruneView selection={selection} onPruned={() => setSelection(new Set())} onNavigate={navigate} />
          ) : view === 'engines' ? (
            <EnginesView />
          ) : (
            <SettingsView />
          )}
        </div>
        {!wide ? <Footer /> : null}
      </div>
    </div>
  );
}

function Tabs({
  view,
  onChange,
  vertical,
}: {
  view: ViewId;
  onChange: (v: ViewId) => void;
  vertical?: boolean;
}) {
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const onKeyDown = (e: KeyboardEvent, i: number) => {
    const next = {
      ArrowRight: 1,
      ArrowDown: 1,
      ArrowLeft: -1,
      ArrowUp: -1,
      Home: -i,
      End: VIEWS.length - 1 - i,
    }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const v = VIEWS[(i + next + VIEWS.length) % VIEWS.length]!;
    onChange(v.id);
    refs.current[v.id]?.focus();
  };
  return (
    <div
      className={vertical ? 'tabs vertical' : 'tabs'}
      role="tablist"
      aria-orientation={vertical ? 'vertical' : 'horizontal'}
      aria-label="Sections"
    >
      {VIEWS.map((v, i) => (
        <button
          key={v.id}
          ref={(el) => {
            refs.current[v.id] = el;
          }}
          id={`tab-${v.id}`}
          type="button"
          role="tab"
          aria-selected={view === v.id}
          aria-controls="panel"
          tabIndex={view === v.id ? 0 : -1}
          className={view === v.id ? 'tab selected' : 'tab'}
          onClick={() => onChange(v.id)}
          onKeyDown={(e) => onKeyDown(e, i)}
        >
          <Icon name={v.icon} size={vertical ? 16 : 18} />
          <span>{v.label}</span>
        </button>
      ))}
    </div>
  );
}

/**
 * What is wrong right now and what to do, then notices the user has not dismissed: main's, and what the
 * app did by itself to keep the mirror serving (a mode switch, a recovery).
 */
function Problems(props: {
  lastError: CallError | undefined;
  onNavigate: (v: ViewId) => void;
  onError: (e: CallError | undefined) => void;
}) {
  const api = useApi();
  const { status, upstream, notices, dismissNotice, keeperNotices, dismissKeeperNotice, recheck, report } =
    useModel();
  const [logs, setLogs] = useState<string>();
  const [busy, setBusy] = useState(false);
  const problem = problemOf(status, upstream, props.lastError, report.value?.volume.full);
  const act = async (p: Problem) => {
    if (!p.action) return;
    setBusy(true);
    try {
      switch (p.action.run) {
        case 'recheck':
          props.onError(undefined);
          await recheck();
          await api.call('upstream.status', { refresh: true });
          break;
        case 'settings':
          props.onNavigate('settings');
          break;
        case 'prune':
          props.onNavigate('prune');
          break;
        case 'use-port': {
          props.onError(undefined);
          const saved = await api.call('settings.update', { mirror: { port: p.port! } });
          const up = saved.ok ? await api.call('mirror.up') : saved;
          if (!up.ok) props.onError(up.error);
          break;
        }
        case 'start': {
          const up = await api.call('mirror.up');
          if (!up.ok) props.onError(up.error);
          break;
        }
        case 'logs': {
          const r = await api.call('mirror.logs', { tail: 200 });
          setLogs(r.ok ? r.value.text || '(the log is empty)' : r.error.message);
          break;
        }
      }
    } finally {
      setBusy(false);
    }
  };
  const shown = notices.filter((n) => !(n.kind === 'docker-not-running' && problem?.kind === 'docker'));
  if (!problem && !shown.length && !keeperNotices.length) return null;
  return (
    <div className="problems">
      {problem ? (
        <Callout
          tone={problem.tone}
          title={problem.title}
          role={problem.tone === 'error' ? 'alert' : 'status'}
          action={
            problem.action ? (
              <button type="button" onClick={() => void act(problem)} disabled={busy}>
                {problem.action.label}
              </button>
            ) : props.lastError ? (
              <button type="button" onClick={() => props.onError(undefined)} aria-label="Dismiss">
                OK
              </button>
            ) : undefined
          }
        >
          {problem.body}
        </Callout>
      ) : null}
      {shown.map((n) => (
        <Callout
          key={n.id}
          tone={n.level === 'error' ? 'error' : n.level === 'warning' ? 'warn' : 'idle'}
          title={n.title}
          action={
            <button type="button" onClick={() => dismissNotice(n.id)} aria-label={`Dismiss: ${n.title}`}>
              Dismiss
            </button>
          }
        >
          {n.message}
        </Callout>
      ))}
      {keeperNotices.map((e) => {
        const v = keeperNoticeView(e, upstream?.url);
        return (
          <Callout
            key={e.kind}
            tone={v.tone}
            title={v.title}
            action={
              <button
                type="button"
                onClick={() => dismissKeeperNotice(e.kind)}
                aria-label={`Dismiss: ${v.title}`}
              >
                Dismiss
              </button>
            }
          >
            {v.body}
          </Callout>
        );
      })}
      {logs !== undefined ? (
        <Dialog
          title="The mirror's log"
          onClose={() => setLogs(undefined)}
          wide
          footer={
            <button type="button" className="primary" onClick={() => setLogs(undefined)}>
              Close
            </button>
          }
        >
          <pre className="logs" tabIndex={0}>
            {logs}
          </pre>
        </Dialog>
      ) : null}
    </div>
  );
}

function Footer() {
  const api = useApi();
  return (
    <footer className="footer">
      <button type="button" className="link" onClick={() => void api.call('app.openDashboard')}>
        <Icon name="external" size={13} /> Open in Window
      </button>
      <span className="spacer" />
      <button type="button" className="link" onClick={() => void api.call('app.quit')}>
        Quit
      </button>
    </footer>
  );
}
