// Whether the upstream (Docker Hub) answers, for the header's health line: probed on a slow timer and
// when the UI asks, announced when it changes. It is also the app's one probe of the upstream: the
// mirror's keeper (offline mode) probes through check() every few seconds, so the header's upstream
// line and the mirror's mode always come from the same answer; the slow timer covers the time no
// keeper runs (Docker not found). The probe itself is app/mirror/upstream-probe.ts, as for the CLI.
import { EventEmitter } from 'node:events';
import type { UpstreamState } from '../contract/values.js';
import { probeUpstream, type ProbeResult } from '../mirror/upstream-probe.js';

export interface UpstreamWatchOptions {
  /** the upstream as the settings name it */
  url: () => string;
  /** probes a URL (default: one GET /v2/ from this host) */
  probe?: (url: string) => Promise<ProbeResult>;
  intervalMs?: number;
  /** a check older than this is repeated when asked */
  maxAgeMs?: number;
  now?: () => number;
}

export class UpstreamWatch extends EventEmitter<{ change: [UpstreamState] }> {
  private last?: UpstreamState;
  private checking?: Promise<UpstreamState>;
  private timer?: NodeJS.Timeout;

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
    const next: UpstreamState = {
      url,
      reachable: r.reachable,
      ...(r.reason ? { reason: r.reason } : {}),
      ms: r.ms,
      checkedAt: new Date(this.now()).toISOString(),
    };
    const prev = this.last;
    this.last = next;
    if (!prev || prev.reachable !== next.reachable || prev.url !== next.url) this.emit('change', next);
    return next;
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }
}
