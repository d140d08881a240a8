// Brings the mirror back when something other than the user took it away: the engine restarted after a
// crash (containers then stay exited whatever their restart policy), the container was stopped, killed
// or removed behind our back. Acts only while the user wants the mirror running, and never fights a
// crash loop (that is for the mode controller or a person).
import { EventEmitter } from 'node:events';
import type { Mirror } from './mirror.js';
import type { StatusMonitor } from './monitor.js';
import type { MirrorStatus } from './status.js';

export interface SupervisorOptions {
  /** recreate a container that was removed (a setting; restarting a stopped one is always done) */
  recreate: boolean;
  /** the mirror to act on (it may change with the mode; the keeper passes a start-only one) */
  mirror: () => Pick<Mirror, 'up'>;
  /** least time between two recoveries, so a failing start does not spin */
  backoffMs?: number;
}

export interface Recovery {
  action: 'started' | 'recreated';
  from: MirrorStatus['state'];
  ms: number;
}

export class Supervisor extends EventEmitter<{ recovered: [Recovery]; failed: [Error] }> {
  /** what the user asked for last: only then does the supervisor act */
  wanted: 'running' | 'stopped' = 'running';
  private busy = false;
  private lastAttempt = 0;
  private started = false;
  private retry?: NodeJS.Timeout;
  private readonly onStatus = (s: MirrorStatus) => void this.consider(s);

  constructor(
    private readonly monitor: StatusMonitor,
    private readonly o: SupervisorOptions,
  ) {
    super();
  }

  /** Acts on the monitor's statuses by itself (the keeper instead calls consider() on its rounds). */
  start(): void {
    this.started = true;
    this.monitor.on('status', this.onStatus);
  }

  stop(): void {
    this.started = false;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    this.monitor.off('status', this.onStatus);
  }

  async consider(s: MirrorStatus): Promise<void> {
    if (this.wanted !== 'running' || this.busy) return;
    const stopped = s.state === 'stopped';
    const removed = s.state === 'not-created' && this.o.recreate;
    if (!stopped && !removed) return;
    if (Date.now() - this.lastAttempt < (this.o.backoffMs ?? 2000)) return;
    this.busy = true;
    this.lastAttempt = Date.now();
    const t0 = Date.now();
    try {
      const { action } = await this.o.mirror().up();
      this.emit('recovered', {
        action: action === 'created' ? 'recreated' : 'started',
        from: s.state,
        ms: Date.now() - t0,
      });
    } catch (err) {
      this.emit('failed', err as Error);
    } finally {
      this.busy = false;
      if (this.started) this.lookAgain();
      else void this.monitor.refresh().catch(() => {});
    }
  }

  /**
   * Looks at the status again once the backoff allows: a status that came during the attempt was
   * passed over, and the monitor tells only changes, so a failed start would otherwise wait for the
   * next change (the removal half-way, a `stopped` then `not-created`, came out as no recovery at all).
   */
  private lookAgain(): void {
    if (this.retry) return;
    const wait = Math.max(0, (this.o.backoffMs ?? 2000) - (Date.now() - this.lastAttempt));
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (!this.started) return;
      void this.monitor
        .refresh()
        .then((s) => this.consider(s))
        .catch(() => {});
    }, wait);
  }
}
