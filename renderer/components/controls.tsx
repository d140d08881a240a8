// Small controls in the macOS manner: a switch, a progress bar, a status dot, a copy button, a
// segmented control. Each is a real form control (or labelled as one) for keyboards and VoiceOver.
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { Tone } from '../lib/status.js';
import { Icon } from './icons.js';

export function Switch(props: {
  checked: boolean;
  disabled?: boolean;
  label: string;
  onChange: (next: boolean) => void;
}) {
  return (
    <button
      type="button"
      role="switch"
      className="switch"
      aria-checked={props.checked}
      aria-label={props.label}
      disabled={props.disabled}
      onClick={() => props.onChange(!props.checked)}
    >
      <span className="switch-knob" />
    </button>
  );
}

export function Dot({ tone }: { tone: Tone }) {
  return <span className={`dot tone-${tone}`} aria-hidden="true" />;
}

export function ProgressBar(props: { value: number | undefined; label: string; detail?: string }) {
  const pct = props.value === undefined ? undefined : Math.round(Math.min(1, Math.max(0, props.value)) * 100);
  return (
    <div className="progress">
      <div
        className={`progress-track${pct === undefined ? ' indeterminate' : ''}`}
        role="progressbar"
        aria-label={props.label}
        aria-valuemin={0}
        aria-valuemax={100}
        {...(pct === undefined ? {} : { 'aria-valuenow': pct })}
        {...(props.detail ? { 'aria-valuetext': props.detail } : {})}
      >
        <div className="progress-fill" style={pct === undefined ? undefined : { width: `${pct}%` }} />
      </div>
      {props.detail ? <div className="progress-detail">{props.detail}</div> : null}
    </div>
  );
}

export function CopyButton({ text, label }: { text: string; label: string }) {
  // A refused clipboard write (no permission, no focus) is said, briefly, not swallowed.
  const [result, setResult] = useState<'copied' | 'failed' | null>(null);
  useEffect(() => {
    if (!result) return;
    const t = setTimeout(() => setResult(null), result === 'failed' ? 4000 : 1500);
    return () => clearTimeout(t);
  }, [result]);
  const shown =
    result === 'copied' ? 'Copied' : result === 'failed' ? 'Copy failed: select the text and copy it' : label;
  const copy = () => {
    if (!navigator.clipboard) return setResult('failed');
    navigator.clipboard.writeText(text).then(
      () => setResult('copied'),
      () => setResult('failed'),
    );
  };
  return (
    <button type="button" className="icon-button" aria-label={shown} title={shown} onClick={copy}>
      <Icon name={result === 'copied' ? 'check' : result === 'failed' ? 'warning' : 'copy'} size={14} />
      {result === 'failed' ? <span role="alert">Copy failed</span> : null}
    </button>
  );
}

/** A radio group drawn as a segmented control; arrows move between segments. */
export function Segmented<T extends string>(props: {
  label: string;
  value: T;
  options: Array<{ value: T; label: string }>;
  onChange: (v: T) => void;
}) {
  const refs = useRef<Array<HTMLButtonElement | null>>([]);
  const index = props.options.findIndex((o) => o.value === props.value);
  const move = (e: KeyboardEvent, i: number) => {
    const delta =
      e.key === 'ArrowRight' || e.key === 'ArrowDown'
        ? 1
        : e.key === 'ArrowLeft' || e.key === 'ArrowUp'
          ? -1
          : 0;
    if (!delta) return;
    e.preventDefault();
    const next = (i + delta + props.options.length) % props.options.length;
    props.onChange(props.options[next]!.value);
    refs.current[next]?.focus();
  };
  return (
    <div className="segmented" role="radiogroup" aria-label={props.label}>
      {props.options.map((o, i) => (
        <button
          key={o.value}
          ref={(el) => {
            refs.current[i] = el;
          }}
          type="button"
          role="radio"
          aria-checked={o.value === props.value}
          tabIndex={i === (index < 0 ? 0 : index) ? 0 : -1}
          className={o.value === props.value ? 'selected' : ''}
          onClick={() => props.onChange(o.value)}
          onKeyDown={(e) => move(e, i)}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}

/** A labelled field with its validation message right under it (tied with aria-describedby). */
export function Field(props: {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy =
    [props.error ? errorId : '', props.hint ? hintId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${props.error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{props.label}</label>
      <div className="field-control">
        {props.children({ id, describedBy, invalid: !!props.error })}
        {props.error ? (
          <div className="field-error" id={errorId} role="alert">
            {props.error}
          </div>
        ) : null}
        {props.hint ? (
          <div className="field-hint" id={hintId}>
            {props.hint}
          </div>
        ) : null}
      </div>
    </div>
  );
}

export function Callout(props: {
  tone: Tone;
  title: string;
  children?: ReactNode;
  action?: ReactNode;
  role?: 'alert' | 'status';
}) {
  return (
    <div className={`callout tone-${props.tone}`} role={props.role ?? 'status'}>
      <Icon name="warning" size={18} className="callout-icon" />
      <div className="callout-text">
        <div className="callout-title">{props.title}</div>
        {props.children ? <div className="callout-body">{props.children}</div> : null}
      </div>
      {props.action ? <div className="callout-action">{props.action}</div> : null}
    </div>
  );
}

export function EmptyState(props: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty" role="status">
      <div className="empty-title">{props.title}</div>
      {props.children ? <div className="empty-body">{props.children}</div> : null}
      {props.action ? <div className="empty-action">{props.action}</div> : null}
    </div>
  );
}
