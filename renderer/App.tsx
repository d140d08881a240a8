// The app's frame: in the popover (narrow) the header, a tab bar and the view; as a window (wide) a
// sidebar beside them. The hash names the view (#repositories, #disk, #prune, #engines, #settings;
// #configure, which the tray's "Configure Docker…" opens, is the engines view).
import { useCallback, useEffect, useRef, useState, useSyncExternalStore, type KeyboardEvent } from 'react';
import { currentNotices } from '../app/shell/notices.js';
import { useMirrorAction } from './api/actions.js';
import { useApi } from './api/context.js';
import { useModel } from './api/model.js';
import { Dialog } from './components/Dialog.js';
import { Header } from './components/Header.js';
import { Callout } from './components/controls.js';
import { Outcome } from './components/Outcome.js';
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
        <Header />
        {!wide ? (
          <nav aria-label="Sections">
            <Tabs view={view} onChange={navigate} />
          </nav>
        ) : null}
        <Problems view={view} onNavigate={navigate} />
        <main className="panel">
          <div className="panel-view" role="tabpanel" id="panel" aria-labelledby={`tab-${view}`}>
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
              <PruneView
                selection={selection}
                onPruned={() => setSelection(new Set())}
                onNavigate={navigate}
              />
            ) : view === 'engines' ? (
              <EnginesView />
            ) : (
              <SettingsView />
            )}
          </div>
        </main>
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
 * What is wrong right now and what to do (from the status: gone when the condition is), then notices
 * whose condition still holds, and what the app did by itself to keep the mirror serving (a recovery).
 * A problem's own action reports its outcome here, under it.
 */
function Problems(props: { view: ViewId; onNavigate: (v: ViewId) => void }) {
  const api = useApi();
  const { status, notices, dismissNotice, keeperNotices, dismissKeeperNotice, recheck, report } = useModel();
  const mirror = useMirrorAction();
  const [logs, setLogs] = useState<string>();
  const [busy, setBusy] = useState(false);
  const problem = problemOf(status, { diskFull: report.value?.volume.full ?? false, view: props.view });
  const act = async (p: Problem) => {
    if (!p.action) return;
    setBusy(true);
    try {
      switch (p.action.run) {
        case 'recheck':
          await recheck();
          await api.call('upstream.status', { refresh: true });
          break;
        case 'settings':
          props.onNavigate('settings');
          break;
        case 'prune':
          props.onNavigate('prune');
          break;
        case 'use-port':
          await mirror.usePort(p.port!);
          break;
        case 'start':
          await mirror.start();
          break;
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
  // Tied to their condition: "Docker is not running" goes once Docker answers, even before main says so.
  const shown = currentNotices(notices, status).filter(
    (n) => !(n.kind === 'docker-not-running' && problem?.kind === 'docker'),
  );
  if (!problem && !shown.length && !keeperNotices.length && !mirror.outcome) return null;
  return (
    <div className="problems">
      {problem ? (
        <Callout
          tone={problem.tone}
          title={problem.title}
          role={problem.tone === 'error' ? 'alert' : 'status'}
          action={
            problem.action ? (
              <button type="button" onClick={() => void act(problem)} disabled={busy || mirror.busy}>
                {problem.action.label}
              </button>
            ) : undefined
          }
        >
          {problem.body}
          {problem.details ? (
            <details className="outcome-details">
              <summary>Details</summary>
              <pre tabIndex={0}>{problem.details}</pre>
            </details>
          ) : null}
        </Callout>
      ) : null}
      <Outcome
        value={mirror.outcome}
        busy={mirror.busy}
        onUsePort={(p) => void mirror.usePort(p)}
        onDismiss={mirror.clear}
      />
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
        const v = keeperNoticeView(e);
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
