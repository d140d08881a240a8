// Whether the upstream (Docker Hub) answers, for the header's health line: probed on a slow timer and
// when the UI asks, announced when it changes. It is also the app's one probe of the upstream: the
// mirror's keeper (offline mode) probes through check() every few seconds, so the header's upstream
// line and the mirror's mode always come from the same answer; the slow timer covers the time no
// keeper runs (Docker not found). The probe itself is app/mirror/upstream-probe.ts, as for the CLI.
// Docker Hub's pull allowance rides along: read in the background at most every few minutes while
// the upstream answers (app/mirror/allowance.ts), kept with the state and announced when it moves.
import { EventEmitter } from 'node:events';
import type { Allowance, UpstreamState } from '../contract/values.js';
import { probeUpstream, type ProbeResult } from '../mirror/upstream-probe.js';

export interface UpstreamWatchOptions {
  /** the upstream as the settings name it */
  url: () => string;
  /** probes a URL (default: one GET /v2/ from this host) */
  probe?: (url: string) => Promise<ProbeResult>;
  intervalMs?: number;
  /** a check older than this is repeated when asked */
  maxAgeMs?: number;
  /** reads the upstream's pull allowance (absent: none is read) */
  allowance?: (url: string) => Promise<Allowance | undefined>;
  /** the least time between two reads of the allowance (default 5 minutes) */
  allowanceEveryMs?: number;
  /** told when a read of the allowance fails (the last one read is kept) */
  onAllowanceError?: (err: unknown) => void;
  now?: () => number;
}

export class UpstreamWatch extends EventEmitter<{ change: [UpstreamState] }> {
  private last?: UpstreamState;
  private checking?: Promise<UpstreamState>;
  private timer?: NodeJS.Timeout;
  private allowance?: { url: string; value: Allowance | undefined; at: number };
  private readingAllowance?: Promise<void>;

  constructor(private readonly o: UpstreamWatchOptions) {
    super();
  }

  get current(): UpstreamState | undefined {
    return this.last;
  }

  /** The last check, or a new one when asked to refresh, when there is none, or when it is old. */
  async get(refresh = false): Promise<UpstreamState> {
    const age = this.last ? this.now() - Date.parse(this.last.checkedAt) : Infinity;
    if (!refresh && this.last && this.last.url === this.o.url() && age < (this.o.maxAgeMs ?? 60_000))
      return this.last;
    return this.check();
  }

  check(): Promise<UpstreamState> {
    this.checking ??= this.probeOnce().finally(() => (this.checking = undefined));
    return this.checking;
  }

  start(): void {
    this.timer = setInterval(() => void this.check(), this.o.intervalMs ?? 60_000);
    this.timer.unref?.();
    void this.check();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async probeOnce(): Promise<UpstreamState> {
    const url = this.o.url();
    const r = await (this.o.probe ?? probeUpstream)(url);
    const next = this.withAllowance({
      url,
      reachable: r.reachable,
      ...(r.reason ? { reason: r.reason } : {}),
      ms: r.ms,
      checkedAt: new Date(this.now()).toISOString(),
    });
    const prev = this.last;
    this.last = next;
    if (!prev || prev.reachable !== next.reachable || prev.url !== next.url) this.emit('change', next);
    if (next.reachable) this.readAllowanceWhenDue(url);
    return next;
  }

  /** The last allowance read for this URL, if any. */
  private withAllowance(state: UpstreamState): UpstreamState {
    const a = this.allowance;
    return a?.url === state.url && a.value ? { ...state, allowance: a.value } : state;
  }

  /** In the background (a probe never waits on it), at most every allowanceEveryMs per URL. */
  private readAllowanceWhenDue(url: string): void {
    const read = this.o.allowance;
    if (!read || this.readingAllowance) return;
    const a = this.allowance;
    if (a?.url === url && this.now() - a.at < (this.o.allowanceEveryMs ?? 300_000)) return;
    this.readingAllowance = read(url)
      .then((value) => {
        const before = this.allowance?.url === url ? this.allowance.value : undefined;
        this.allowance = { url, value, at: this.now() };
        if (!this.last || this.last.url !== url) return;
        const { allowance: _previous, ...rest } = this.last;
        this.last = this.withAllowance(rest);
        if (before?.limit !== value?.limit || before?.remaining !== value?.remaining)
          this.emit('change', this.last);
      })
      .catch((err: unknown) => {
        // Tried: the next try waits as long as after a read.
        this.allowance = { url, value: a?.url === url ? a.value : undefined, at: this.now() };
        this.o.onAllowanceError?.(err);
      })
      .finally(() => (this.readingAllowance = undefined));
  }

  /** Resolves once a background read of the allowance (if one runs) is done. */
  async allowanceSettled(): Promise<void> {
    await this.readingAllowance;
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }
}
