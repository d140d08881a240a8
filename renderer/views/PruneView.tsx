// Prune: choose what goes (the repositories and tags selected in Repositories, "not pulled for N days",
// "shrink to N GB", or down to the quota), see exactly what goes and the bytes it frees, confirm, watch
// it remove the selection and delete the blobs nothing uses any more while the mirror keeps serving,
// and compare what was freed with the preview.
// Reset (everything, with a typed confirmation) sits at the bottom.
import { useEffect, useRef, useState } from 'react';
import type { PruneResult } from '../../app/cache/prune/execute.js';
import { collectionOutcome } from '../../app/cache/prune/outcome.js';
import type { PruneSelection } from '../../app/cache/service.js';
import type { PrunePlanView } from '../../app/contract/values.js';
import { useApi, useAction } from '../api/context.js';
import { useModel } from '../api/model.js';
import { Callout, Field, ProgressBar, Segmented } from '../components/controls.js';
import { formatBytes, plural } from '../lib/format.js';
import {
  compareWithPreview,
  describeSelection,
  isEmptyPlan,
  previewRows,
  previewSummary,
  pruneProgress,
  selectionOf,
  type PreviewRow,
  type PruneMode,
} from '../lib/prune.js';
import { ResetDialog } from './ResetDialog.js';

export interface PruneProps {
  selection: ReadonlySet<string>;
  onPruned: () => void;
  onNavigate: (view: 'repositories' | 'settings') => void;
  initialMode?: PruneMode;
}

export function PruneView(props: PruneProps) {
  const api = useApi();
  const { settings, report, operation, cacheProgress, status } = useModel();
  // Pruning stops and restarts the mirror: without Docker it cannot, and says why.
  const dockerDown = status?.state === 'engine-unreachable';
  const quotaBytes = settings?.app.quotaBytes ?? null;
  const [mode, setMode] = useState<PruneMode>(
    props.initialMode ?? (props.selection.size ? 'selected' : 'unused'),
  );
  const [days, setDays] = useState('30');
  const [size, setSize] = useState('');
  const [plan, setPlan] = useState<PrunePlanView>();
  /** the plan being (or last) run, with its rows as previewed: shown through the run and in the result */
  const [ran, setRan] = useState<{ plan: PrunePlanView; rows: PreviewRow[] }>();
  const [resetOpen, setResetOpen] = useState(false);
  const planning = useAction((selection: PruneSelection) => api.call('cache.plan', { selection }));
  const pruning = useAction((planId: string) => api.call('cache.prune', { planId }));
  const form = { mode, selection: props.selection, days, size, quotaBytes };
  const checked = selectionOf(form);
  const [touched, setTouched] = useState(false);

  // A preview is of one choice: changing the choice drops it (and its complaints).
  const clearPlanning = planning.clear;
  const selectionKey = [...props.selection].sort().join('\n');
  const runningRef = useRef(false);
  useEffect(() => {
    // What a running prune removes leaves the selection: that is no new choice.
    if (runningRef.current) return;
    setPlan(undefined);
    setTouched(false);
    clearPlanning();
  }, [mode, days, size, selectionKey, clearPlanning]);

  const preview = async () => {
    setTouched(true);
    if (!('selection' in checked)) return;
    pruning.clear();
    const r = await planning.run(checked.selection);
    if (r.ok) setPlan(r.value);
  };
  const prune = async () => {
    if (!plan) return;
    setRan({ plan, rows: previewRows(plan, report.value) });
    runningRef.current = true;
    try {
      const r = await pruning.run(plan.id);
      if (r.ok) {
        setPlan(undefined);
        props.onPruned();
      }
    } finally {
      runningRef.current = false;
    }
  };

  const running = pruning.busy || operation === 'prune';
  const modes: Array<{ value: PruneMode; label: string }> = [
    { value: 'selected', label: `Selected${props.selection.size ? ` (${props.selection.size})` : ''}` },
    { value: 'unused', label: 'Not pulled for' },
    { value: 'shrink', label: 'Shrink to' },
    ...(quotaBytes !== null ? [{ value: 'quota' as const, label: 'To quota' }] : []),
  ];
  const problem = touched && 'problem' in checked ? checked.problem : undefined;

  return (
    <div className="view prune scroll">
      <section className="card" aria-labelledby="prune-title">
        <h3 id="prune-title">Free up space</h3>
        <Segmented label="What to prune" value={mode} options={modes} onChange={setMode} />
        <div className="prune-form">
          {mode === 'selected' ? (
            <p className="muted">
              {props.selection.size ? (
                `${describeSelection(props.selection)} chosen in Repositories.`
              ) : (
                <>
                  Choose repositories or tags in{' '}
                  <button type="button" className="link" onClick={() => props.onNavigate('repositories')}>
                    Repositories
                  </button>{' '}
                  first.
                </>
              )}
            </p>
          ) : null}
          {mode === 'unused' ? (
            <Field
              label="Not pulled for"
              error={problem}
              hint="Every repository not pulled for this many days."
            >
              {({ id, describedBy, invalid }) => (
                <span className="with-unit">
                  <input
                    id={id}
                    inputMode="numeric"
                    value={days}
                    onChange={(e) => setDays(e.target.value)}
                    aria-describedby={describedBy}
                    aria-invalid={invalid}
                    size={5}
                  />
                  <span className="unit">days</span>
                </span>
              )}
            </Field>
          ) : null}
          {mode === 'shrink' ? (
            <Field
              label="Shrink to"
              error={problem}
              hint={`Least recently pulled first, until the cache is at most this size (now ${formatBytes(report.value?.totals.blobBytes ?? 0)}).`}
            >
              {({ id, describedBy, invalid }) => (
                <input
                  id={id}
                  value={size}
                  placeholder="10 GB"
                  onChange={(e) => setSize(e.target.value)}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  size={10}
                />
              )}
            </Field>
          ) : null}
          {mode === 'quota' && quotaBytes !== null ? (
            <p className="muted">
              Least recently pulled first, until the cache fits its quota of {formatBytes(quotaBytes)}.
            </p>
          ) : null}
        </div>
        <div className="actions">
          <button
            type="button"
            onClick={() => void preview()}
            disabled={
              dockerDown || planning.busy || running || (mode === 'selected' && props.selection.size === 0)
            }
            className={plan ? '' : 'primary'}
          >
            {planning.busy ? 'Previewing…' : 'Preview'}
          </button>
        </div>
        {dockerDown ? (
          <p className="note" role="note">
            Docker is not running: pruning stops and restarts the mirror, so it waits for Docker.
          </p>
        ) : null}
        {planning.error ? (
          <Callout tone="error" title="No preview" role="alert">
            {planning.error.message}
          </Callout>
        ) : null}
      </section>

      {plan || (running && ran) ? (
        <Preview
          plan={running && ran ? ran.plan : plan!}
          rows={running && ran ? ran.rows : undefined}
          running={running}
          blocked={dockerDown}
          onPrune={() => void prune()}
          onCancel={() => setPlan(undefined)}
        />
      ) : null}

      {running ? (
        <section className="card" aria-labelledby="progress-title">
          <h3 id="progress-title">Pruning</h3>
          <ProgressBar
            label="Prune progress"
            value={pruneProgress(cacheProgress?.operation === 'prune' ? cacheProgress : undefined).value}
            detail={pruneProgress(cacheProgress?.operation === 'prune' ? cacheProgress : undefined).text}
          />
        </section>
      ) : null}

      {pruning.error ? (
        <Callout tone="error" title="The prune did not finish" role="alert">
          {pruning.error.message}
        </Callout>
      ) : null}
      {pruning.result && !running ? <Result result={pruning.result} rows={ran?.rows ?? []} /> : null}

      <section className="card danger-zone" aria-labelledby="reset-title">
        <h3 id="reset-title">Reset the cache</h3>
        <p className="muted">
          Deletes every cached image and starts an empty mirror. Docker pulls everything from Docker Hub
          again.
        </p>
        <div className="actions">
          <button
            type="button"
            className="destructive"
            onClick={() => setResetOpen(true)}
            disabled={running || dockerDown}
            title={dockerDown ? 'Docker is not running' : undefined}
          >
            Reset Cache…
          </button>
        </div>
      </section>
      {resetOpen ? <ResetDialog onClose={() => setResetOpen(false)} onDone={props.onPruned} /> : null}
    </div>
  );
}

function Preview(props: {
  plan: PrunePlanView;
  /** the rows as previewed (while it runs, the report no longer has what went) */
  rows?: PreviewRow[] | undefined;
  running: boolean;
  blocked: boolean;
  onPrune: () => void;
  onCancel: () => void;
}) {
  const { report } = useModel();
  const { plan } = props;
  if (isEmptyPlan(plan)) {
    return (
      <section className="card preview" aria-labelledby="preview-title">
        <h3 id="preview-title">Preview</h3>
        <p>Nothing to prune ({plan.reason}).</p>
      </section>
    );
  }
  const rows = props.rows ?? previewRows(plan, report.value);
  const summary = previewSummary(plan);
  return (
    <section className="card preview" aria-labelledby="preview-title">
      <h3 id="preview-title">Preview</h3>
      <div className="preview-headline">
        <span>
          Frees <strong data-testid="preview-bytes">{summary.frees}</strong>
        </span>
        <span className="muted">{summary.after}</span>
      </div>
      {summary.extra ? <p className="note">{summary.extra}</p> : null}
      <ul className="preview-list" aria-label="What goes">
        {rows.map((r) => (
          <li key={r.key}>
            <span className="preview-name">{r.label}</span>
            <span className="preview-detail">{r.detail}</span>
            {r.bytes !== undefined ? <span className="preview-bytes">{formatBytes(r.bytes)}</span> : null}
          </li>
        ))}
      </ul>
      <p className="note">
        {plural(plan.blobs, 'blob')} go. The mirror keeps serving while they are deleted.
      </p>
      <div className="actions">
        <button type="button" onClick={props.onCancel} disabled={props.running}>
          Cancel
        </button>
        <button
          type="button"
          className="primary destructive"
          onClick={props.onPrune}
          disabled={props.running || props.blocked}
        >
          Prune {summary.frees}
        </button>
      </div>
    </section>
  );
}

function Result({ result, rows }: { result: PruneResult; rows: PreviewRow[] }) {
  const cmp = compareWithPreview(result);
  return (
    <section className={`card result tone-${cmp.tone}`} aria-labelledby="result-title" role="status">
      <h3 id="result-title">Pruned</h3>
      <div className="preview-headline">
        <span>
          Freed <strong data-testid="freed-bytes">{formatBytes(result.freedBytes)}</strong>
        </span>
      </div>
      <p>{cmp.text}</p>
      {rows.length ? (
        <ul className="preview-list" aria-label="What was removed">
          {rows.map((r) => (
            <li key={r.key}>
              <span className="preview-name">{r.label}</span>
              {r.bytes !== undefined ? <span className="preview-bytes">{formatBytes(r.bytes)}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
      <p className="muted">{collectionOutcome(result)}</p>
    </section>
  );
}
