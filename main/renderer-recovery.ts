// A renderer process can die (killed by the OS under memory pressure, a crash): Electron then leaves
// the window blank until something reloads it ('render-process-gone', web-contents.md). Our windows
// reload their page; a page that keeps dying is left alone after a few tries, with the reason logged.
import type { Logger } from './log.js';

export interface RecoverablePage {
  on(
    event: 'render-process-gone',
    listener: (e: unknown, details: { reason: string; exitCode: number }) => void,
  ): unknown;
  reload(): void;
  isDestroyed(): boolean;
}

/** At most this many reloads in WINDOW_MS: a page that dies at once again would loop forever. */
export const MAX_RELOADS = 3;
const WINDOW_MS = 60_000;

export function reloadWhenGone(
  page: RecoverablePage,
  log: Logger,
  what: string,
  now: () => number = Date.now,
): void {
  const reloads: number[] = [];
  page.on('render-process-gone', (_e, details) => {
    const fields = { window: what, reason: details.reason, exitCode: details.exitCode };
    // A clean exit is the page closing with its window; there is nothing to bring back.
    if (details.reason === 'clean-exit' || page.isDestroyed()) return log.info('renderer exited', fields);
    const t = now();
    while (reloads.length && t - reloads[0]! > WINDOW_MS) reloads.shift();
    if (reloads.length >= MAX_RELOADS)
      return log.error('renderer keeps dying: not reloading it again', fields);
    reloads.push(t);
    log.warn('renderer process gone: reloading the page', fields);
    page.reload();
  });
}
