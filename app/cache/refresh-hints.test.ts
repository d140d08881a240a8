// What each refresh of the scanner's model is told, from the access log's changes.
import { describe, expect, it } from 'vitest';
import { RefreshHints } from './refresh-hints.js';

const pulled = (...repositories: string[]) => ({ repositories, complete: true });

/** A hints book past its first (whole) refresh. */
function warmed(holdMs = 10_000) {
  const hints = new RefreshHints({ holdMs });
  const first = hints.begin(0);
  expect(first.hint).toBeUndefined();
  hints.done(first);
  return hints;
}

describe('RefreshHints', () => {
  it('looks everywhere first, then tells only what the log saw pulled (nothing: an empty hint)', () => {
    const hints = warmed();
    expect(hints.begin(1).hint).toEqual({ repositories: [] });
    hints.changed(pulled('library/b', 'library/a'), 2);
    expect(hints.begin(3).hint).toEqual({ repositories: ['library/a', 'library/b'] });
  });

  it('keeps a pulled repository in every hint for the hold (the settled look), then drops it once covered', () => {
    const hints = warmed(10_000);
    hints.changed(pulled('library/a'), 1_000);
    const first = hints.begin(2_000);
    hints.done(first);
    expect(hints.begin(5_000).hint).toEqual({ repositories: ['library/a'] });
    expect(hints.begin(11_001).hint).toEqual({ repositories: [] });
  });

  it('never drops a repository pulled while a refresh ran: that refresh did not cover it', () => {
    const hints = warmed(0);
    hints.changed(pulled('library/a'), 0);
    const running = hints.begin(1);
    hints.changed(pulled('library/b'), 1);
    hints.done(running);
    expect(hints.begin(2).hint).toEqual({ repositories: ['library/b'] });
  });

  it('keeps what a failed refresh was told for the next one', () => {
    const hints = warmed(0);
    hints.changed(pulled('library/a'), 0);
    hints.begin(1); // failed: no done()
    expect(hints.begin(2).hint).toEqual({ repositories: ['library/a'] });
  });

  it('looks everywhere after a change it cannot tie to a repository, after everything(), and when asked', () => {
    const hints = warmed();
    hints.changed({ repositories: ['library/a'], complete: false }, 1);
    const unknown = hints.begin(2);
    expect(unknown.hint).toBeUndefined();
    hints.done(unknown);
    expect(hints.begin(3).hint).toEqual({ repositories: ['library/a'] });

    hints.everything();
    const pruned = hints.begin(4);
    expect(pruned.hint).toBeUndefined();
    // Asked again while that refresh runs: the one after must look everywhere too.
    hints.everything();
    hints.done(pruned);
    const again = hints.begin(5);
    expect(again.hint).toBeUndefined();
    hints.done(again);
    expect(hints.begin(6).hint).toEqual({ repositories: ['library/a'] });
    expect(hints.begin(7, true).hint).toBeUndefined();
  });
});
