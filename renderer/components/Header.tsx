// The header: what is live, in neutral words with a small state dot (the mirror's state, the address it
// actually serves, the one offline indicator, Docker and the cache's size), the switch that starts and
// stops it, and, when saved settings are not in effect yet, a distinct "changed, not applied" line with
// Apply. The switch's and Apply's outcomes show here, where the user acted.
import { useMirrorAction } from '../api/actions.js';
import { useModel } from '../api/model.js';
import { changedNotApplied, healthSummary, liveAddress, offlineLine, stateView } from '../lib/status.js';
import { CopyButton, Dot, Switch } from './controls.js';
import { Outcome } from './Outcome.js';

export function Header() {
  const { status, operation, upstream, report, progress } = useModel();
  const action = useMirrorAction();
  const view = stateView(status, operation);
  const health = healthSummary(status, upstream, report.value?.totals.blobBytes);
  const images = report.value?.repositories.reduce((n, r) => n + r.tags.length, 0);
  const offline = offlineLine(status, upstream, images);
  const { live, pending } = liveAddress(status);
  const notApplied = changedNotApplied(status) && !operation;
  const pulling = operation === 'up' && progress?.operation === 'up' ? progress.pull : undefined;
  return (
    <header className="header" data-state={status?.state ?? 'unknown'}>
      <h1 className="visually-hidden">Registry Cache</h1>
      <div className="header-row">
        <div className="header-state">
          <Dot tone={view.tone} />
          <span className="state-label" role="status" aria-live="polite" id="mirror-state">
            {view.label}
          </span>
          <code className="address" aria-label="Mirror address" title="The address Docker uses">
            {live ?? '—'}
          </code>
          {live ? <CopyButton text={live} label="Copy the mirror address" /> : null}
        </div>
        <Switch
          checked={view.on}
          disabled={!view.canToggle || action.busy}
          label={view.on ? 'Stop the mirror' : 'Start the mirror'}
          onChange={(next) => void (next ? action.start() : action.stop())}
        />
      </div>
      {notApplied ? (
        <div className="header-pending" data-testid="not-applied">
          <Dot tone="warn" />
          <span>Changed, not applied{pending ? `: will serve at ${pending}` : ''}</span>
          <button type="button" className="small" disabled={action.busy} onClick={() => void action.apply()}>
            {action.busy ? 'Applying…' : 'Apply'}
          </button>
        </div>
      ) : null}
      {offline ? (
        <div className="header-line" data-testid="offline" title={offline.why}>
          <Dot tone="warn" />
          <span>{offline.text}</span>
        </div>
      ) : null}
      <div className="health header-line" aria-label="Health">
        {health.map((h) => (
          <span key={h.key} className="health-part">
            <Dot tone={h.tone} />
            {h.text}
          </span>
        ))}
        {pulling ? (
          <span className="health-part">
            <Dot tone="busy" />
            {pulling.status}
            {pulling.id ? ` ${pulling.id}` : ''}
          </span>
        ) : null}
      </div>
      <Outcome
        value={action.outcome}
        busy={action.busy}
        onUsePort={(p) => void action.usePort(p)}
        onDismiss={action.clear}
      />
    </header>
  );
}
