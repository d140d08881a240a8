// Keeps the mirror's status current: re-checks on engine events and on a modest timer,
// and emits only when something a person would notice changed.
import { EventEmitter } from 'node:events';
import type Docker from 'dockerode';
import { watchContainerEvents, type EventWatcher } from '../docker/events.js';
import type { Mirror } from './mirror.js';
import { MIRROR_LABEL } from './settings.js';
import type { MirrorStatus } from './status.js';

export interface MonitorEvents {
  status: [MirrorStatus];
  engine: [boolean];
}

export class StatusMonitor extends EventEmitter<MonitorEvents> {
  private watcher?: EventWatcher;
  private timer?: NodeJS.Timeout;
  private last?: MirrorStatus;
  private checking?: Promise<MirrorStatus>;
  /** Stopped: a check still in flight (or started by an event that was on its way) tells nobody. */
  private stopped = false;
  private again = false;

  constructor(
    private readonly docker: Docker,
    /** a Mirror, or anything that checks like one (the keeper's, which follows the container's mode) */
    private readonly mirror: Pick<Mirror, 'status'>,
    /** the timer is a safety net; events drive most updates */
    private readonly intervalMs = 3000,
  ) {
    super();
  }

  get current(): MirrorStatus | undefined {
    return this.last;
  }

  start(): void {
    this.stopped = false;
    this.watcher = watchContainerEvents(this.docker, {
      labels: [`${MIRROR_LABEL}=true`],
      onEvent: () => void this.refresh().catch(() => {}),
      onConnection: (up) => {
        this.emit('engine', up);
        void this.refresh().catch(() => {});
      },
    });
    this.timer = setInterval(() => void this.refresh().catch(() => {}), this.intervalMs);
    void this.refresh().catch(() => {});
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.stop();
    if (this.timer) clearInterval(this.timer);
  }

  /** One check at a time; a request during a check runs once more after it. */
  async refresh(): Promise<MirrorStatus> {
    if (this.checking) {
      this.again = true;
      return this.checking;
    }
    this.checking = (async () => {
      let status: MirrorStatus;
      do {
        this.again = false;
        status = await this.mirror.status(this.last?.container?.restartCount);
      } while (this.again);
      if (!this.stopped && (!this.last || significant(this.last, status))) this.emit('status', status);
      this.last = status;
      return status;
    })();
    try {
      return await this.checking;
    } finally {
      this.checking = undefined;
    }
  }
}

function significant(a: MirrorStatus, b: MirrorStatus): boolean {
  return (
    a.state !== b.state ||
    a.message !== b.message ||
    a.container?.id !== b.container?.id ||
    a.container?.configCurrent !== b.container?.configCurrent
  );
}
