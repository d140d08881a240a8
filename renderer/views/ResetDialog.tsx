// Reset: everything goes. The user types the phrase (not a checkbox: nothing deletes the cache by
// accident), watches it stop, delete and start, and reads what was deleted.
import { useState } from 'react';
import { useApi, useAction } from '../api/context.js';
import { useModel } from '../api/model.js';
import { Dialog } from '../components/Dialog.js';
import { Callout, Field, ProgressBar } from '../components/controls.js';
import { formatBytes, plural } from '../lib/format.js';

/** The phrase the core wants (app/cache/reset.ts RESET_CONFIRMATION; the core checks it again). */
export const RESET_PHRASE = 'delete the cache';

export function ResetDialog({ onClose, onDone }: { onClose: () => void; onDone: () => void }) {
  const api = useApi();
  const { report, cacheProgress, operation } = useModel();
  const [typed, setTyped] = useState('');
  const reset = useAction((confirmation: string) => api.call('cache.reset', { confirmation }));
  const running = reset.busy || operation === 'reset';
  const matches = typed.trim() === RESET_PHRASE;
  const done = reset.result;
  const totals = report.value?.totals;
  const submit = async () => {
    if (!matches) return;
    const r = await reset.run(typed.trim());
    if (r.ok) onDone();
  };
  return (
    <Dialog
      title="Reset the cache?"
      onClose={onClose}
      locked={running}
      footer={
        done ? (
          <button type="button" className="primary" onClick={onClose} data-autofocus>
            Done
          </button>
        ) : (
          <>
            <button type="button" onClick={onClose} disabled={running}>
              Cancel
            </button>
            <button
              type="button"
              className="primary destructive"
              disabled={!matches || running}
              onClick={() => void submit()}
            >
              {running ? 'Resetting…' : 'Reset Cache'}
            </button>
          </>
        )
      }
    >
      {done ? (
        <div role="status">
          <p className="result-line">
            Deleted {plural(done.repositoriesRemoved, 'repository', 'repositories')} (
            <strong data-testid="reset-freed">{formatBytes(done.freedBytes)}</strong>).
          </p>
          <p className="muted">
            {done.status.state === 'running'
              ? 'The mirror is running again, with an empty cache.'
              : `The mirror is ${done.status.state}: ${done.status.message}.`}
          </p>
        </div>
      ) : (
        <>
          <p>
            Every cached image is deleted
            {totals
              ? ` (${plural(totals.repositories, 'repository', 'repositories')}, ${formatBytes(totals.blobBytes)})`
              : ''}
            , and the mirror starts again empty. Docker then pulls everything from Docker Hub again.
          </p>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void submit();
            }}
          >
            <Field label={`Type “${RESET_PHRASE}” to confirm`}>
              {({ id }) => (
                <input
                  id={id}
                  value={typed}
                  autoComplete="off"
                  spellCheck={false}
                  onChange={(e) => setTyped(e.target.value)}
                  disabled={running}
                  data-autofocus
                />
              )}
            </Field>
          </form>
          {running ? (
            <ProgressBar
              label="Reset progress"
              value={cacheProgress?.operation === 'reset' ? cacheProgress.fraction : undefined}
              detail={cacheProgress?.operation === 'reset' ? cacheProgress.message : 'Starting…'}
            />
          ) : null}
          {reset.error ? (
            <Callout tone="error" title="The cache was not reset" role="alert">
              {reset.error.message}
            </Callout>
          ) : null}
        </>
      )}
    </Dialog>
  );
}
