// Docker engines: each one found here with its state and a one-click Configure / Undo (configure,
// apply, verify through the engine), docker-machine VMs the same, and the registry machine.
import { useState } from 'react';
import type { EngineReport } from '../../app/configure/engines/configure-engine.js';
import type { CallError } from '../../app/contract/envelope.js';
import type { EnginesList } from '../../app/contract/values.js';
import { useAction, useApi, useCall, useEvent } from '../api/context.js';
import { Dialog } from '../components/Dialog.js';
import { Icon } from '../components/icons.js';
import { Callout, CopyButton, Dot, EmptyState, Field } from '../components/controls.js';
import { engineActions, engineState, engineTitle } from '../lib/engines.js';

export function EnginesView() {
  const api = useApi();
  const list = useCall('engines.list');
  const [busy, setBusy] = useState<{ engine: string; action: 'configure' | 'undo' }>();
  const [steps, setSteps] = useState<Record<string, string[]>>({});
  const [errors, setErrors] = useState<Record<string, CallError | undefined>>({});
  useEvent('engines.step', ({ engine, line }) =>
    setSteps((s) => ({ ...s, [engine]: [...(s[engine] ?? []), line] })),
  );

  const act = async (engine: string, action: 'configure' | 'undo') => {
    setBusy({ engine, action });
    setSteps((s) => ({ ...s, [engine]: [] }));
    setErrors((e) => ({ ...e, [engine]: undefined }));
    const r = await api.call(action === 'configure' ? 'engines.configure' : 'engines.undo', { engine });
    if (!r.ok) setErrors((e) => ({ ...e, [engine]: r.error }));
    await list.reload();
    setBusy(undefined);
  };

  if (!list.value) {
    return (
      <div className="view">
        {list.error ? (
          <Callout tone="error" title="Engines could not be listed" role="alert">
            {list.error.message}
          </Callout>
        ) : (
          <EmptyState title="Looking for Docker engines…" />
        )}
      </div>
    );
  }
  const v = list.value;
  const found = v.engines.filter((e) => e.detected && e.kind !== 'machine');
  const machines = v.engines.filter((e) => e.kind === 'machine');
  const missing = v.engines.filter((e) => !e.detected && e.kind !== 'machine');
  return (
    <div className="view engines scroll">
      <div className="view-toolbar">
        <p className="muted">
          Point each Docker engine at the mirror. Configure edits its settings, applies them and checks the
          engine uses the mirror; Undo restores exactly what was there.
        </p>
        <button
          type="button"
          className="icon-button"
          aria-label="Look for engines again"
          title="Look again"
          onClick={() => void list.reload()}
          disabled={list.loading}
        >
          <Icon name="refresh" size={15} />
        </button>
      </div>
      {found.length ? (
        <ul className="engine-list" aria-label="Docker engines">
          {found.map((e) => (
            <EngineItem
              key={e.name}
              engine={e}
              busy={busy}
              steps={steps[e.name]}
              error={errors[e.name]}
              onAct={(a) => void act(e.name, a)}
            />
          ))}
        </ul>
      ) : (
        <EmptyState title="No Docker engine found">
          Install Docker Desktop, OrbStack or Colima, or start the Docker engine, then look again.
        </EmptyState>
      )}
      <Machines
        list={v}
        machines={machines}
        busy={busy}
        steps={steps}
        errors={errors}
        onAct={(n, a) => void act(n, a)}
        onChanged={() => void list.reload()}
      />
      {missing.length ? (
        <details className="card not-found">
          <summary>Not found here ({missing.length})</summary>
          <ul>
            {missing.map((e) => (
              <li key={e.name}>
                <strong>{engineTitle(e)}</strong> <span className="muted">{e.how}</span>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      <p className="note">{v.hubOnlyNote}</p>
    </div>
  );
}

function EngineItem(props: {
  engine: EngineReport;
  busy: { engine: string; action: 'configure' | 'undo' } | undefined;
  steps: string[] | undefined;
  error: CallError | undefined;
  onAct: (action: 'configure' | 'undo') => void;
}) {
  const e = props.engine;
  const state = engineState(e);
  const actions = engineActions(e);
  const mine = props.busy?.engine === e.name;
  const titleId = `engine-${e.name.replace(/[^a-z0-9]/gi, '-')}`;
  return (
    <li className="card engine" aria-labelledby={titleId} data-engine={e.name} data-state={e.state}>
      <div className="engine-head">
        <div>
          <div className="engine-title" id={titleId}>
            {engineTitle(e)}
          </div>
          <div className={`engine-state tone-${state.tone}`}>
            <Dot tone={state.tone} /> <span data-testid="engine-state">{state.label}</span>
          </div>
          {state.reason ? (
            <div className="engine-reason muted" data-testid="engine-reason">
              {state.reason}
            </div>
          ) : null}
        </div>
        <div className="engine-actions">
          {actions.undo ? (
            <button
              type="button"
              onClick={() => props.onAct('undo')}
              disabled={!!props.busy}
              aria-label={`Undo the configuration of ${engineTitle(e)}`}
            >
              {mine && props.busy?.action === 'undo' ? 'Undoing…' : 'Undo'}
            </button>
          ) : null}
          {actions.configure ? (
            <button
              type="button"
              className="primary"
              onClick={() => props.onAct('configure')}
              disabled={!!props.busy}
              aria-label={`Configure ${engineTitle(e)} to use the mirror`}
            >
              {mine && props.busy?.action === 'configure' ? 'Configuring…' : 'Configure'}
            </button>
          ) : null}
        </div>
      </div>
      <dl className="engine-facts">
        <dt>Mirror</dt>
        <dd>{e.mirrorUrl ?? 'none it could use yet'}</dd>
        <dt>Settings</dt>
        <dd className="path" title={e.configFile}>
          {e.configFile}
        </dd>
        <dt>Engine lists</dt>
        <dd>
          {e.engineMirrors === null
            ? 'no answer (not running?)'
            : e.engineMirrors.length
              ? e.engineMirrors.join(', ')
              : 'no mirrors'}
        </dd>
        <dt>Found</dt>
        <dd>{e.how}</dd>
      </dl>
      {e.note ? <p className="note">{e.note}</p> : null}
      {props.steps?.length ? (
        <ol className="engine-steps" aria-label={`Steps for ${engineTitle(e)}`} aria-live="polite">
          {props.steps.map((s, i) => (
            <li key={i}>{s}</li>
          ))}
        </ol>
      ) : null}
      {props.error ? (
        <Callout tone="error" title={`${engineTitle(e)} was not changed as asked`} role="alert">
          {props.error.message}
        </Callout>
      ) : null}
    </li>
  );
}

function Machines(props: {
  list: EnginesList;
  machines: EngineReport[];
  busy: { engine: string; action: 'configure' | 'undo' } | undefined;
  steps: Record<string, string[]>;
  errors: Record<string, CallError | undefined>;
  onAct: (engine: string, action: 'configure' | 'undo') => void;
  onChanged: () => void;
}) {
  const [creating, setCreating] = useState(false);
  const m = props.list.machines;
  if (!m.available) {
    return (
      <section className="card machines" aria-labelledby="machines-title">
        <h3 id="machines-title">docker-machine</h3>
        <p className="muted">
          docker-machine is not installed. It is only needed for VirtualBox or xhyve VMs; Docker Desktop,
          OrbStack and Colima are configured above.
        </p>
      </section>
    );
  }
  const flags = m.newMachineFlags.join(' ');
  return (
    <section className="card machines" aria-labelledby="machines-title">
      <h3 id="machines-title">docker-machine</h3>
      <div className="registry-machine">
        <div>
          <div className="engine-title">Registry machine: {m.registryMachine}</div>
          <div className="muted">
            {m.registryUrl
              ? `Other machines use ${m.registryUrl}`
              : 'Not running yet: the VM that runs the mirror for the other machines.'}
          </div>
        </div>
        <button type="button" onClick={() => setCreating(true)} disabled={!!props.busy}>
          {m.registryUrl ? 'Recreate…' : 'Create…'}
        </button>
      </div>
      {creating ? (
        <RegistryMachineDialog
          name={m.registryMachine}
          exists={
            m.registryUrl !== null || props.machines.some((e) => e.name === `machine:${m.registryMachine}`)
          }
          steps={props.steps[`machine:${m.registryMachine}`] ?? []}
          onClose={() => setCreating(false)}
          onDone={props.onChanged}
        />
      ) : null}
      {flags ? (
        <div className="flags">
          <code>{flags}</code>
          <CopyButton text={flags} label="Copy the flags for docker-machine create" />
        </div>
      ) : null}
      {props.machines.length ? (
        <ul className="engine-list" aria-label="docker-machine machines">
          {props.machines.map((e) => (
            <EngineItem
              key={e.name}
              engine={e}
              busy={props.busy}
              steps={props.steps[e.name]}
              error={props.errors[e.name]}
              onAct={(a) => props.onAct(e.name, a)}
            />
          ))}
        </ul>
      ) : (
        <p className="muted">No machines (docker-machine ls is empty).</p>
      )}
    </section>
  );
}

/** The seed's machine-create-registry as a sheet: a driver, and removing an old machine only when asked. */
function RegistryMachineDialog(props: {
  name: string;
  exists: boolean;
  steps: string[];
  onClose: () => void;
  onDone: () => void;
}) {
  const api = useApi();
  const [driver, setDriver] = useState('virtualbox');
  const [replace, setReplace] = useState(false);
  const create = useAction(() =>
    api.call('machine.createRegistry', { name: props.name, driver: driver.trim(), replaceExisting: replace }),
  );
  const done = create.result;
  return (
    <Dialog
      title={`Create the registry machine “${props.name}”`}
      onClose={props.onClose}
      locked={create.busy}
      footer={
        done ? (
          <button type="button" className="primary" onClick={props.onClose} data-autofocus>
            Done
          </button>
        ) : (
          <>
            <button type="button" onClick={props.onClose} disabled={create.busy}>
              Cancel
            </button>
            <button
              type="button"
              className={`primary${replace ? ' destructive' : ''}`}
              disabled={create.busy || (props.exists && !replace) || !driver.trim()}
              onClick={() => void create.run().then((r) => r.ok && props.onDone())}
            >
              {create.busy ? 'Creating…' : replace ? 'Replace and Create' : 'Create'}
            </button>
          </>
        )
      }
    >
      {done ? (
        <div role="status">
          <p>
            {done.machine} ({done.ip}): the mirror is {done.status.state}. Other machines use {done.mirrorUrl}
            .
          </p>
          <div className="flags">
            <code>{done.newMachineFlags.join(' ')}</code>
            <CopyButton text={done.newMachineFlags.join(' ')} label="Copy the flags for new machines" />
          </div>
        </div>
      ) : (
        <>
          <p className="muted">
            A docker-machine VM that runs the mirror for the other machines (a few minutes). Its cache lives
            inside the VM.
          </p>
          <Field label="Driver" hint="virtualbox, xhyve, vmwarefusion, …">
            {({ id, describedBy }) => (
              <input
                id={id}
                value={driver}
                onChange={(e) => setDriver(e.target.value)}
                aria-describedby={describedBy}
                data-autofocus
              />
            )}
          </Field>
          {props.exists ? (
            <label className="check">
              <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} />
              Remove the existing machine “{props.name}” first (deletes the VM and everything in it)
            </label>
          ) : null}
          {props.steps.length ? (
            <ol className="engine-steps" aria-live="polite">
              {props.steps.map((s, i) => (
                <li key={i}>{s}</li>
              ))}
            </ol>
          ) : null}
          {create.error ? (
            <Callout tone="error" title="The registry machine was not created" role="alert">
              {create.error.message}
            </Callout>
          ) : null}
        </>
      )}
    </Dialog>
  );
}
