// Settings: port, bind address (with a clear warning before the mirror is exposed beyond this Mac,
// stronger when upstream credentials are set), upstream and credentials, image, data directory, quota,
// whether a mirror removed behind the app's back is recreated, start at login, start on launch. The
// core validates; its messages appear next to their fields.
import { useEffect, useId, useRef, useState } from 'react';
import { useMirrorAction } from '../api/actions.js';
import type { CallError } from '../../app/contract/envelope.js';
import type { CredentialsState, LoginItemState } from '../../app/contract/values.js';
import type { AppSettings } from '../../app/settings/app-settings.js';
import { useApi } from '../api/context.js';
import { useModel } from '../api/model.js';
import { Callout, EmptyState, Field } from '../components/controls.js';
import { Outcome } from '../components/Outcome.js';
import { changedNotApplied } from '../lib/status.js';
import {
  changeOf,
  draftOf,
  exposureOf,
  fieldErrorsOf,
  type FieldErrors,
  type SettingsDraft,
} from '../lib/settings.js';

export function SettingsView() {
  const { settings } = useModel();
  if (!settings)
    return (
      <div className="view">
        <EmptyState title="Reading the settings…" />
      </div>
    );
  return <SettingsForm saved={settings} />;
}

function SettingsForm({ saved }: { saved: AppSettings }) {
  const api = useApi();
  const { status } = useModel();
  const [draft, setDraft] = useState<SettingsDraft>(() => draftOf(saved));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [other, setOther] = useState<string>();
  const [saving, setSaving] = useState(false);
  const [savedNote, setSavedNote] = useState(false);
  const [exposeConfirmed, setExposeConfirmed] = useState(false);
  const [credentials, setCredentials] = useState<CredentialsState>();
  const [loginItem, setLoginItem] = useState<LoginItemState>();
  const recreateHint = useId();
  const apply = useMirrorAction();
  const form = useRef<HTMLFormElement>(null);
  // After Save with errors, focus goes to the first invalid field (not left on <body>).
  const [focusInvalid, setFocusInvalid] = useState(0);
  useEffect(() => {
    if (!focusInvalid) return;
    const first = form.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    first?.focus();
    first?.scrollIntoView?.({ block: 'center' });
  }, [focusInvalid]);

  // Saved elsewhere (the tray, the CLI, another window): start from what is saved now. Only when what
  // is saved changed: not at mount (the draft starts from it; an effect that ran after the first paint
  // undid a click made before it, which a loaded machine made visible), nor for the same settings again.
  const shown = useRef(saved);
  useEffect(() => {
    if (shown.current === saved || JSON.stringify(shown.current) === JSON.stringify(saved)) return;
    shown.current = saved;
    setDraft(draftOf(saved));
  }, [saved]);
  useEffect(() => {
    void api.call('credentials.get').then((r) => r.ok && setCredentials(r.value));
    void api.call('app.loginItem.get').then((r) => r.ok && setLoginItem(r.value));
  }, [api]);

  const set = <K extends keyof SettingsDraft>(key: K, value: SettingsDraft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined }));
    setSavedNote(false);
  };

  const exposing =
    exposureOf(draft.bindAddress) === 'network' && exposureOf(saved.mirror.bindAddress) === 'local';
  const exposed = exposureOf(draft.bindAddress) === 'network';
  const checked = changeOf(draft, saved);
  const dirty = 'errors' in checked || Object.keys(checked.change).length > 0;

  const save = async () => {
    setOther(undefined);
    apply.clear();
    // Every problem at once, not in rounds: the form's own checks and the exposure confirmation.
    const found: FieldErrors = 'errors' in checked ? { ...checked.errors } : {};
    if (exposing && !exposeConfirmed && !found.bindAddress)
      found.bindAddress = 'Confirm below that other computers may use the mirror.';
    if (Object.keys(found).length || !('change' in checked)) {
      setErrors(found);
      setFocusInvalid((n) => n + 1);
      return;
    }
    setSaving(true);
    const r = await api.call('settings.update', checked.change);
    setSaving(false);
    if (r.ok) {
      setErrors({});
      setSavedNote(true);
      setExposeConfirmed(false);
    } else {
      const mapped = fieldErrorsOf(r.error);
      setErrors(mapped.fields);
      setOther(mapped.other);
      setFocusInvalid((n) => n + 1);
    }
  };

  const needsApply = changedNotApplied(status);
  return (
    <div className="view settings scroll">
      <form
        ref={form}
        className="settings-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
        aria-label="Settings"
        noValidate
      >
        <section className="card" aria-labelledby="network-title">
          <h3 id="network-title">Mirror</h3>
          <Field
            label="Port"
            error={errors.port}
            hint="Docker uses http://localhost:PORT. On macOS, 5000 is often taken by AirPlay."
          >
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                inputMode="numeric"
                value={draft.port}
                onChange={(e) => set('port', e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                size={6}
              />
            )}
          </Field>
          <Field label="Listen on" error={errors.bindAddress}>
            {({ id, describedBy, invalid }) => (
              <div className="bind">
                <select
                  aria-label="Listen on"
                  value={
                    draft.bindAddress === '127.0.0.1'
                      ? 'local'
                      : draft.bindAddress === '0.0.0.0'
                        ? 'all'
                        : 'custom'
                  }
                  onChange={(e) =>
                    set(
                      'bindAddress',
                      e.target.value === 'local'
                        ? '127.0.0.1'
                        : e.target.value === 'all'
                          ? '0.0.0.0'
                          : draft.bindAddress === '127.0.0.1' || draft.bindAddress === '0.0.0.0'
                            ? ''
                            : draft.bindAddress,
                    )
                  }
                >
                  <option value="local">This Mac only (127.0.0.1)</option>
                  <option value="all">All networks (0.0.0.0)</option>
                  <option value="custom">One address…</option>
                </select>
                {draft.bindAddress !== '127.0.0.1' && draft.bindAddress !== '0.0.0.0' ? (
                  <input
                    id={id}
                    value={draft.bindAddress}
                    placeholder="192.168.1.20"
                    onChange={(e) => set('bindAddress', e.target.value)}
                    aria-describedby={describedBy}
                    aria-invalid={invalid}
                    aria-label="Bind address"
                    size={16}
                  />
                ) : null}
              </div>
            )}
          </Field>
          {exposed ? (
            <ExposureWarning
              credentials={credentials}
              needsConfirmation={exposing}
              confirmed={exposeConfirmed}
              onConfirm={(v) => {
                setExposeConfirmed(v);
                setErrors((e) => ({ ...e, bindAddress: undefined }));
              }}
            />
          ) : null}
          <Field
            label="Upstream"
            error={errors.upstreamUrl}
            hint="The registry the mirror pulls through from: Docker Hub unless you use another."
          >
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                value={draft.upstreamUrl}
                onChange={(e) => set('upstreamUrl', e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                spellCheck={false}
              />
            )}
          </Field>
          <Field
            label="Upstream CA"
            error={errors.upstreamCaFile}
            hint="Only for an upstream whose certificate comes from your own CA (a team mirror): the path of that CA's PEM file. Empty: none."
          >
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                value={draft.upstreamCaFile}
                placeholder="/path/to/team-ca.pem"
                onChange={(e) => set('upstreamCaFile', e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                spellCheck={false}
              />
            )}
          </Field>
          <Field
            label="Image"
            error={errors.image}
            hint="The registry image the mirror runs (registry:3, or registry:2)."
          >
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                value={draft.image}
                onChange={(e) => set('image', e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                spellCheck={false}
              />
            )}
          </Field>
          <Field
            label="Data directory"
            error={errors.dataDir}
            hint="Where the cache lives on disk. Docker must be able to mount it."
          >
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                value={draft.dataDir}
                onChange={(e) => set('dataDir', e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                spellCheck={false}
              />
            )}
          </Field>
          <Field
            label="Quota"
            error={errors.quota}
            hint="Warn when the cache grows past this size; empty for no quota."
          >
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                value={draft.quota}
                placeholder="No quota"
                onChange={(e) => set('quota', e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                size={10}
              />
            )}
          </Field>
          <div>
            <label className="check">
              <input
                type="checkbox"
                checked={draft.autoRecreate}
                onChange={(e) => set('autoRecreate', e.target.checked)}
                aria-describedby={recreateHint}
                aria-invalid={errors.autoRecreate ? true : undefined}
              />
              Bring the mirror back if it is removed
            </label>
            <p className="field-hint indent" id={recreateHint}>
              When its container is deleted behind the app's back (docker rm, a cleanup script), the app
              creates it again; the cache on disk stays either way. Off, the app only says it is gone.
            </p>
            {errors.autoRecreate ? (
              <p className="field-error indent" role="alert">
                {errors.autoRecreate}
              </p>
            ) : null}
          </div>
        </section>

        <section className="card" aria-labelledby="app-title">
          <h3 id="app-title">App</h3>
          <LoginItem state={loginItem} onChange={setLoginItem} />
          <label className="check">
            <input
              type="checkbox"
              checked={draft.startMirrorOnLaunch}
              onChange={(e) => set('startMirrorOnLaunch', e.target.checked)}
            />
            Start the mirror when the app opens
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={draft.quitStopsMirror}
              onChange={(e) => set('quitStopsMirror', e.target.checked)}
            />
            Stop the mirror when quitting (by default it keeps serving)
          </label>
        </section>

        <div className="form-actions">
          {other ? (
            <div className="field-error" role="alert">
              {other}
            </div>
          ) : null}
          {savedNote ? (
            <span className="saved" role="status">
              {needsApply ? 'Saved, not applied yet: the mirror runs as before until you apply.' : 'Saved.'}
            </span>
          ) : null}
          {needsApply ? (
            <button type="button" disabled={apply.busy} onClick={() => void apply.apply()}>
              {apply.busy ? 'Applying…' : 'Apply to the Mirror'}
            </button>
          ) : null}
          <button
            type="button"
            onClick={() => {
              setDraft(draftOf(saved));
              setErrors({});
              setOther(undefined);
            }}
            disabled={!dirty || saving}
          >
            Revert
          </button>
          <button type="submit" className="primary" disabled={!dirty || saving}>
            {saving ? 'Saving…' : 'Save'}
          </button>
        </div>
        <Outcome
          value={apply.outcome}
          busy={apply.busy}
          onUsePort={(p) => void apply.usePort(p)}
          onDismiss={apply.clear}
        />
      </form>
      <Credentials state={credentials} exposed={exposed} onChange={setCredentials} />
    </div>
  );
}

function ExposureWarning(props: {
  credentials: CredentialsState | undefined;
  needsConfirmation: boolean;
  confirmed: boolean;
  onConfirm: (v: boolean) => void;
}) {
  const withAccount = props.credentials?.configured;
  return (
    <Callout
      tone={withAccount ? 'error' : 'warn'}
      role="alert"
      title={
        withAccount
          ? 'Others would pull with your Docker Hub account'
          : 'Other computers could use this mirror'
      }
    >
      <p>
        Anyone who can reach this Mac on the network can pull images through the mirror, with no password.
        {withAccount
          ? ` The mirror pulls with the credentials of ${props.credentials?.username ?? 'your account'}: their pulls count against your rate limit, and they can pull what your account can see, private repositories included.`
          : ''}
      </p>
      {props.needsConfirmation ? (
        <label className="check">
          <input
            type="checkbox"
            checked={props.confirmed}
            onChange={(e) => props.onConfirm(e.target.checked)}
          />
          {withAccount
            ? 'I understand: expose the mirror, with my account, to the network'
            : 'I understand: expose the mirror to the network'}
        </label>
      ) : null}
    </Callout>
  );
}

function LoginItem({
  state,
  onChange,
}: {
  state: LoginItemState | undefined;
  onChange: (s: LoginItemState) => void;
}) {
  const api = useApi();
  const [error, setError] = useState<CallError>();
  return (
    <div>
      <label className="check">
        <input
          type="checkbox"
          checked={state?.openAtLogin ?? false}
          disabled={!state || state.status === 'unsupported'}
          onChange={(e) =>
            void api
              .call('app.loginItem.set', { openAtLogin: e.target.checked })
              .then((r) => (r.ok ? onChange(r.value) : setError(r.error)))
          }
        />
        Open the app at login
      </label>
      {state && state.status !== 'enabled' && state.status !== 'not-registered' ? (
        <p className="field-hint indent">{state.message}</p>
      ) : null}
      {error ? (
        <p className="field-error indent" role="alert">
          {error.message}
        </p>
      ) : null}
    </div>
  );
}

function Credentials(props: {
  state: CredentialsState | undefined;
  exposed: boolean;
  onChange: (s: CredentialsState) => void;
}) {
  const api = useApi();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ username?: string; password?: string; other?: string }>({});
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    const r = await api.call('credentials.set', { username: username.trim(), password });
    setBusy(false);
    if (r.ok) {
      props.onChange(r.value);
      setUsername('');
      setPassword('');
      setErrors({});
    } else {
      const byPath = Object.fromEntries((r.error.issues ?? []).map((i) => [i.path, i.message]));
      setErrors({
        ...(byPath.username ? { username: byPath.username } : {}),
        ...(byPath.password ? { password: byPath.password } : {}),
        ...(!r.error.issues?.length ? { other: r.error.message } : {}),
      });
    }
  };
  const clear = async () => {
    const r = await api.call('credentials.clear');
    if (r.ok) props.onChange(r.value);
  };
  return (
    <section className="card" aria-labelledby="credentials-title">
      <h3 id="credentials-title">Upstream account</h3>
      <p className="muted">
        {props.state?.configured
          ? `Pulls go to Docker Hub as ${props.state.username ?? 'your account'} (higher rate limits, private images).`
          : 'Optional: a Docker Hub user and access token raise the rate limit. Stored in the macOS keychain; applied when the mirror starts next.'}
      </p>
      {props.state?.configured && props.exposed ? (
        <p className="field-error">
          The mirror listens beyond this Mac: anyone on the network pulls with this account.
        </p>
      ) : null}
      <Field label="User" error={errors.username}>
        {({ id, describedBy, invalid }) => (
          <input
            id={id}
            value={username}
            autoComplete="username"
            onChange={(e) => setUsername(e.target.value)}
            aria-describedby={describedBy}
            aria-invalid={invalid}
          />
        )}
      </Field>
      <Field label="Access token" error={errors.password}>
        {({ id, describedBy, invalid }) => (
          <input
            id={id}
            type="password"
            value={password}
            autoComplete="current-password"
            onChange={(e) => setPassword(e.target.value)}
            aria-describedby={describedBy}
            aria-invalid={invalid}
          />
        )}
      </Field>
      {errors.other ? (
        <div className="field-error" role="alert">
          {errors.other}
        </div>
      ) : null}
      <div className="actions">
        {props.state?.configured ? (
          <button type="button" onClick={() => void clear()}>
            Forget
          </button>
        ) : null}
        <button type="button" onClick={() => void save()} disabled={busy || !username || !password}>
          {props.state?.configured ? 'Replace' : 'Save Account'}
        </button>
      </div>
    </section>
  );
}
