// What an action came to, shown where the user acted: a success in one line, or the error in plain words
// with what to do, the core's own text behind a "Details" disclosure, and the fix as a button when there
// is one (a free port to use).
import type { ReactNode } from 'react';
import type { CallError } from '../../app/contract/envelope.js';
import { explainError } from '../lib/status.js';
import { Icon } from './icons.js';

export type OutcomeValue = { ok: true; text: string } | { ok: false; error: CallError } | undefined;

export function Outcome(props: {
  value: OutcomeValue;
  /** the fix as an action, e.g. "Use Port 5001" */
  onUsePort?: (port: number) => void;
  onDismiss?: () => void;
  busy?: boolean;
}) {
  const v = props.value;
  if (!v) return null;
  if (v.ok) {
    return (
      <p className="outcome ok" role="status">
        <Icon name="check" size={13} /> {v.text}
      </p>
    );
  }
  const e = explainError(v.error);
  let action: ReactNode = null;
  if (e.port && props.onUsePort) {
    const port = e.port;
    action = (
      <button type="button" disabled={props.busy} onClick={() => props.onUsePort?.(port)}>
        Use Port {port}
      </button>
    );
  }
  return (
    <div className="outcome error" role="alert">
      <div className="outcome-title">{e.title}</div>
      {e.fix ? <div className="outcome-fix">{e.fix}</div> : null}
      {e.details && e.details !== e.title ? (
        <details className="outcome-details">
          <summary>Details</summary>
          <pre tabIndex={0}>{e.details}</pre>
        </details>
      ) : null}
      {action || props.onDismiss ? (
        <div className="outcome-actions">
          {action}
          {props.onDismiss ? (
            <button type="button" className="link" onClick={props.onDismiss}>
              Dismiss
            </button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
