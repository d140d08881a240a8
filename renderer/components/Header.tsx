// The header: the mirror's state in words and colour, the switch that starts and stops it, the address
// Docker should use, offline mode in one line while the upstream is unreachable, and one line of health
// (Docker, the upstream, the cache's size).
import type { CallError } from '../../app/contract/envelope.js';
import { useApi } from '../api/context.js';
import { useModel } from '../api/model.js';
import { healthSummary, modeLine, stateView } from '../lib/status.js';
import { CopyButton, Dot, Switch } from './controls.js';

export function Header({ onError }: { onError: (e: CallError | undefined) => void }) {
  const api = useApi();
  const { status, operation, upstream, report, progress } = useModel();
  const view = stateView(status, operation);
  const health = healthSummary(status, upstream, report.value?.totals.blobBytes);
  const mode = modeLine(status);
  const toggle = async (on: boolean) => {
    onError(undefined);
    const r = on ? await api.call('mirror.up') : await api.call('mirror.down');
    if (!r.ok) onError(r.error);
  };
  const pulling = operation === 'up' && progress?.operation === 'up' ? progress.pull : undefined;
  return (
    <header className="header" data-state={status?.state ?? 'unknown'}>
      <div className="header-row">
        <div className="header-state">
          <Dot tone={view.tone} />
          <span
            className={`state-label tone-${view.tone}`}
            role="status"
            aria-live="polite"
            id="mirror-state"
          >
            {view.label}
          </span>
        </div>
        <Switch
          checked={view.on}
          disabled={!view.canToggle}
          label={view.on ? 'Stop the mirror' : 'Start the mirror'}
          onChange={(next) => void toggle(next)}
        />
      </div>
      <div className="header-address">
        <span className="address-label" id="address-label">
          Docker mirror
        </span>
        <code className="address" aria-labelledby="address-label">
          {status?.mirrorUrl ?? '—'}
        </code>
        {status?.mirrorUrl ? <CopyButton text={status.mirrorUrl} label="Copy the mirror address" /> : null}
      </div>
      {mode ? (
        // Offline: the upstream is unreachable and the mirror serves what it cached (why: in the title).
        <div className="health header-mode" aria-label="Mode" title={status?.message}>
          <span className={`health-part tone-${mode.tone}`}>
            <Dot tone={mode.tone} />
            {mode.text}
          </span>
        </div>
      ) : null}
      <div className="health" aria-label="Health">
        {health.map((h) => (
          <span key={h.key} className={`health-part tone-${h.tone}`}>
            <Dot tone={h.tone} />
            {h.text}
          </span>
        ))}
        {pulling ? (
          <span className="health-part tone-busy">
            <Dot tone="busy" />
            {pulling.status}
            {pulling.id ? ` ${pulling.id}` : ''}
          </span>
        ) : null}
      </div>
    </header>
  );
}
