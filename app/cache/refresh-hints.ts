// What the next refresh of the scanner's model is told (a RefreshHint: the repositories that changed),
// kept from the access log's changes: after a pull of R the refresh reads R and the blobs it newly
// links, nothing else (about 10 ms on a 60,000-blob store, against about 95 ms looking everywhere).
//
// A refresh looks everywhere (no hint) when nothing can be trusted to have been told: the first one,
// after a prune or a reset, after log lines that changed something without naming a repository, and
// whenever the owner asks (the app does so on a timer and when the mirror changes mode: the registry's
// expiry and the offline mode's layer links change the store without a line in the log).
import type { AccessChange } from './access/tracker.js';
import type { RefreshHint } from './scan/store-model.js';

export interface RefreshHintsOptions {
  /**
   * How long a pulled repository stays in every hint (default 15 s). The registry logs a blob as served
   * while it may still be writing it to the store: the look after the pull has settled (the app's
   * second "pulled" announcement, 4 s after the last line) must read that repository again too.
   */
  holdMs?: number;
}

/** One refresh's view: what it was told, and what it covers once it is done. */
export interface RefreshTicket {
  /** undefined: look everywhere */
  hint: RefreshHint | undefined;
  /** changes recorded up to here are seen by this refresh */
  readonly seen: number;
}

export class RefreshHints {
  /** Changes recorded so far (a counter: a refresh covers those recorded before it began). */
  private recorded = 0;
  /** Pulled repositories no refresh has covered yet, with the change that named them last. */
  private unseen = new Map<string, number>();
  /** Pulled repositories still within the hold, until when. */
  private recent = new Map<string, number>();
  /** The change after which a refresh must look everywhere, and the last one a whole refresh covered. */
  private wholeAfter = 0;
  private wholeCovered = -1;

  constructor(private readonly options: RefreshHintsOptions = {}) {}

  /** The access log folded in new lines. */
  changed(change: AccessChange, now: number): void {
    const n = ++this.recorded;
    if (!change.complete) this.wholeAfter = n;
    const until = now + (this.options.holdMs ?? 15_000);
    for (const name of change.repositories) {
      this.unseen.set(name, n);
      this.recent.set(name, until);
    }
  }

  /** The next refresh looks everywhere (the store changed in a way the log does not tell). */
  everything(): void {
    this.wholeAfter = ++this.recorded;
  }

  /** What a refresh beginning now is told; `whole` makes it look everywhere whatever is known. */
  begin(now: number, whole = false): RefreshTicket {
    const seen = this.recorded;
    if (whole || this.wholeAfter > this.wholeCovered) return { hint: undefined, seen };
    for (const [name, until] of this.recent) if (until <= now) this.recent.delete(name);
    const names = new Set([...this.unseen.keys(), ...this.recent.keys()]);
    return { hint: { repositories: [...names].sort() }, seen };
  }

  /** The refresh of this ticket succeeded: what it covered need not be told again. */
  done(ticket: RefreshTicket): void {
    for (const [name, n] of this.unseen) if (n <= ticket.seen) this.unseen.delete(name);
    if (ticket.hint === undefined) this.wholeCovered = Math.max(this.wholeCovered, ticket.seen);
  }
}
