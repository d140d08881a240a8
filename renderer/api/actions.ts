// The mirror actions more than one place offers (the header's switch and Apply, Settings' Apply, a
// problem's "Use Port N"), each with its outcome kept where it was started. An error goes away on the
// next try, or by itself once the status shows the condition gone (the mirror serves as saved).
import { useCallback, useEffect, useState } from 'react';
import type { OutcomeValue } from '../components/Outcome.js';
import { useApi } from './context.js';
import { useModel } from './model.js';

export function useMirrorAction() {
  const api = useApi();
  const { status } = useModel();
  const [outcome, setOutcome] = useState<OutcomeValue>();
  const [busy, setBusy] = useState(false);

  const serving = status?.state === 'running' && status.container?.configCurrent !== false;
  useEffect(() => {
    if (serving) setOutcome((o) => (o && !o.ok ? undefined : o));
  }, [serving]);

  const run = useCallback(
    async (what: 'up' | 'down' | 'apply', port?: number) => {
      setBusy(true);
      setOutcome(undefined);
      try {
        if (port !== undefined) {
          const saved = await api.call('settings.update', { mirror: { port } });
          if (!saved.ok) return setOutcome({ ok: false, error: saved.error });
        }
        const r = what === 'down' ? await api.call('mirror.down') : await api.call('mirror.up');
        if (!r.ok) return setOutcome({ ok: false, error: r.error });
        if (what === 'apply' || port !== undefined) {
          const url = 'status' in r.value ? r.value.status.mirrorUrl : undefined;
          setOutcome({ ok: true, text: url ? `Applied: the mirror serves at ${url}` : 'Applied.' });
        }
      } finally {
        setBusy(false);
      }
    },
    [api],
  );
  return {
    busy,
    outcome,
    clear: useCallback(() => setOutcome(undefined), []),
    start: useCallback(() => run('up'), [run]),
    stop: useCallback(() => run('down'), [run]),
    apply: useCallback(() => run('apply'), [run]),
    usePort: useCallback((port: number) => run('apply', port), [run]),
  };
}
