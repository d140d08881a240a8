// Keeps the mirror serving: the status monitor, the mode controller (proxy while the upstream answers,
// offline while it does not; switched only once the probes have agreed long enough, see
// mode-hysteresis.ts) and the supervisor (a mirror stopped or removed behind our back comes
// back), run together so that only one of them acts at a time, never while the user's own operation
// runs, and never against what the user asked for. `drpc watch` and the app (MirrorService) run one.
import { EventEmitter } from 'node:events';
import type Docker from 'dockerode';
import { AppError, messageOf } from '../util/errors.js';
import { LABELS } from './container-spec.js';
import { readCatalog } from './http.js';
import type { Mirror, UpAction } from './mirror.js';
import { ModeController, type ModeChange } from './mode-controller.js';
import { ModeHysteresis, type HysteresisOptions } from './mode-hysteresis.js';
import { StatusMonitor } from './monitor.js';
import type { MirrorMode } from './registry-config.js';
import type { MirrorState, MirrorStatus } from './status.js';
import { Supervisor, type Recovery } from './supervisor.js';
import type { ProbeResult } from './upstream-probe.js';

/** What the user asked for last: the keeper brings the mirror back only while it is `running`. */
export type Wanted = 'running' | 'stopped';

export interface KeeperOptions {
  docker: Docker;
  /** the mirror of each mode (same container name, settings and credentials; another configuration) */
  mirrorFor: (mode: MirrorMode) => Mirror;
  /** one bounded probe of the upstream from this machine */
  probe: () => Promise<ProbeResult>;
  /** recreate a container removed behind our back (a stopped one is always started again) */
  recreate: boolean;
  /** the user chose this mode (`drpc up --offline`): kept whatever the probes say */
  chosenMode?: MirrorMode;
  /** what the user wants; left out, it is learnt from the first status that reaches the engine */
  wanted?: Wanted;
  /** how often the upstream is probed (and the mode, and a pending recovery, reconsidered) */
  probeIntervalMs?: number;
  /**
   * When probes switch a running mirror's mode (see mode-hysteresis.ts); the defaults scale with the
   * probe interval: offline after 3 failed probes 1 s apart, proxy again after 2 intervals of answers
   * and no sooner than 6 intervals after going offline (doubling while the upstream flaps).
   */
  hysteresis?: HysteresisOptions;
  /** the clock the hysteresis and the recovery backoff read (tests pass their own) */
  now?: () => number;
  /** the status monitor's safety-net timer; engine events drive most checks */
  statusIntervalMs?: number;
  /** least time between two recoveries; it doubles with each failed one, up to a minute */
  backoffMs?: number;
}

export interface KeeperEvents {
  /** the status changed in a way a person would notice (with the mode, when there is a container) */
  status: [MirrorStatus];
  /** the container was switched to the other mode */
  mode: [ModeChange];
  /** the container was started or recreated after something other than the user took it away */
  recovered: [Recovery];
  /** a switch or a recovery failed (it is tried again later) */
  failed: [Error];
  /** the engine's event stream connected (true) or dropped (false) */
  engine: [boolean];
  /** every probe of the upstream */
  probe: [ProbeResult];
}

/** States of a mirror someone meant to be running (a crash loop included: it was started). */
const RUNNING: readonly MirrorState[] = ['running', 'starting', 'unhealthy', 'crash-looping'];
const MAX_BACKOFF_MS = 60_000;

/** "offline: serving 12 cached repositories (upstream: ECONNREFUSED)", as ModeController says it. */
export function offlineMessage(repositories: number | undefined, reason?: string): string {
  const what =
    repositories === undefined
      ? 'the cache'
      : `${repositories} cached repositor${repositories === 1 ? 'y' : 'ies'}`;
  return `offline: serving ${what} (upstream: ${reason ?? 'unreachable'})`;
}

/** Offline because the user said so (`drpc up --offline`): what stays until they run `up` again. */
export function chosenOfflineMessage(repositories: number | undefined): string {
  const what =
    repositories === undefined
      ? 'the cache'
      : `${repositories} cached repositor${repositories === 1 ? 'y' : 'ies'}`;
  return `offline by choice: serving ${what} (drpc up without --offline goes back to the upstream)`;
}

export class MirrorKeeper extends EventEmitter<KeeperEvents> {
  readonly monitor: StatusMonitor;
  private readonly controller: ModeController;
  private readonly supervisor: Supervisor;
  private want?: Wanted;
  /** the mode the container runs, from its label at the last check */
  private containerMode?: MirrorMode;
  /** offline: the repositories the catalog lists (counted once per switch or user operation) */
  private repositories?: number;
  private lastProbe?: ProbeResult;
  /** why the upstream failed last: what an offline status says, even while it answers again */
  private lastFailure?: string;
  private readonly hysteresis: ModeHysteresis;
  private probeForSwitch?: ProbeResult;
  private lock: Promise<void> = Promise.resolve();
  /** exclusive sections running or waiting */
  private pending = 0;
  /** statuses seen while the keeper switches the mode are held back: the container is recreated on purpose */
  private holding = false;
  private held = false;
  private lastEmitted?: MirrorStatus;
  private failures = 0;
  private recoverAfter = 0;
  private started = false;
  private timer?: NodeJS.Timeout;

  constructor(private readonly o: KeeperOptions) {
    super();
    this.hysteresis = new ModeHysteresis(o.probeIntervalMs ?? 5000, o.hysteresis);
    this.monitor = new StatusMonitor(o.docker, { status: (prev) => this.check(prev) }, o.statusIntervalMs);
    this.controller = new ModeController({
      mirrorFor: o.mirrorFor,
      // The keeper probes first and switches only when the mode must change: the same probe decides.
      probe: () => (this.probeForSwitch ? Promise.resolve(this.probeForSwitch) : this.probeOnce()),
    });
    this.supervisor = new Supervisor(this.monitor, {
      recreate: o.recreate,
      // Recreation off, a stopped mirror is started by its id: `up` would create one removed meanwhile
      // (a forced removal is seen as stopped first, between the kill and the removal).
      mirror: () => (o.recreate ? this.mirror() : { up: () => this.startExisting() }),
      backoffMs: o.backoffMs ?? 2000,
    });
    this.wanted = o.wanted;
    this.monitor.on('status', (s) => this.onStatus(s));
    this.monitor.on('engine', (up) => this.emit('engine', up));
    this.controller.on('change', (c) => {
      this.containerMode = c.mode;
      this.repositories = undefined;
      if (c.previous !== c.mode) {
        this.hysteresis.switched(c.mode, this.now());
        this.emit('mode', c);
      }
    });
    this.supervisor.on('recovered', (r) => {
      this.failures = 0;
      this.recoverAfter = 0;
      this.emit('recovered', r);
    });
    this.supervisor.on('failed', (err) => {
      // Removed while it was being started, with recreation off: the status says so; nothing failed.
      if (!o.recreate && err instanceof AppError && err.code === 'NOT_CREATED') return;
      this.failures++;
      this.recoverAfter = this.now() + this.backoff();
      this.emit('failed', err);
    });
  }

  /** What the user asked for last; undefined until learnt from the first status. */
  get wanted(): Wanted | undefined {
    return this.want;
  }

  set wanted(w: Wanted | undefined) {
    this.want = w;
    this.supervisor.wanted = w ?? 'stopped';
    if (w === 'running') this.failures = this.recoverAfter = 0;
  }

  /** The mode the container runs (unknown before the first check finds one). */
  get mode(): MirrorMode | 'unknown' {
    return this.containerMode ?? 'unknown';
  }

  /** The last probe of the upstream. */
  get upstream(): ProbeResult | undefined {
    return this.lastProbe;
  }

  /**
   * The mirror in the mode to use now: the serving container's mode until the probes have switched it
   * (see mode-hysteresis.ts); with none serving, the mode the last probe allows (offline after a
   * failed one): the one to start.
   */
  mirror(): Mirror {
    return this.o.mirrorFor(this.target());
  }

  /** The least time offline before going back to proxy, as it stands (it grows while the upstream flaps). */
  get dwellMs(): number {
    return this.hysteresis.dwellMs;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.monitor.start();
    const loop = async () => {
      if (!this.started) return;
      try {
        await this.tick();
      } catch (err) {
        this.emit('failed', err instanceof Error ? err : new Error(messageOf(err)));
      }
      // Sooner while a failed probe is being confirmed: offline quickly when the network is really gone.
      const next = this.hysteresis.nextProbeInMs(this.o.probeIntervalMs ?? 5000);
      if (this.started) this.timer = setTimeout(() => void loop(), next);
    };
    // The first round waits for the first status: it needs to know whether there is a container.
    this.timer = setTimeout(
      () =>
        void this.monitor
          .refresh()
          .catch(() => undefined)
          .then(loop),
      0,
    );
  }

  /**
   * Stops watching and acting; the container is left as it is. Resolves once a switch or recovery
   * already under way has finished (a keeper that replaces this one waits for that).
   */
  stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.monitor.stop();
    return this.lock;
  }

  /**
   * Runs fn (a user's up, down, prune...) with the keeper standing still: no switch or recovery starts
   * while it runs or waits, and one in progress finishes first.
   */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await this.section(fn);
    } finally {
      // What it served may have changed (a prune, a reset): count again at the next check.
      this.repositories = undefined;
    }
  }

  /**
   * One round: probe, switch the mode when the probes have said so for long enough (not on one probe:
   * see mode-hysteresis.ts), bring back a mirror that went away.
   */
  async tick(): Promise<void> {
    const probe = await this.probeOnce();
    const s = this.monitor.current;
    this.hysteresis.observe(probe.reachable, this.now());
    const want = this.target();
    // Only a container that exists is switched: a missing one is the supervisor's (or nobody's) to create.
    if (this.want === 'running' && s?.engine.reachable && s.container && this.containerMode !== want) {
      await this.trySection(async () => {
        // The status may be older than a removal: switching would create the container again.
        if (!(await this.present())) return;
        this.probeForSwitch = probe;
        this.holding = true;
        try {
          await this.controller.apply();
        } finally {
          this.probeForSwitch = undefined;
          this.holding = false;
          // What was held back is told now, as it stands after the switch.
          const now = await this.monitor.refresh().catch(() => this.monitor.current);
          if (this.held && now && now !== this.lastEmitted) this.publish(now);
          this.held = false;
        }
      });
    }
    await this.recover();
  }

  private async check(previousRestartCount?: number): Promise<MirrorStatus> {
    // The container's label says its mode (someone may have run `up --offline` by hand).
    const info = await this.inspect();
    if (info) {
      const mode: MirrorMode = info.Config.Labels?.[LABELS.mode] === 'offline' ? 'offline' : 'proxy';
      if (mode !== this.containerMode) this.repositories = undefined;
      this.containerMode = mode;
    }
    const status = await this.o.mirrorFor(this.containerMode ?? 'proxy').status(previousRestartCount);
    return this.describe(status);
  }

  /** The status with the mode; offline and serving, the message says so. */
  private async describe(status: MirrorStatus): Promise<MirrorStatus> {
    if (!status.container) {
      if (status.state === 'not-created' && this.want === 'running' && !this.o.recreate) {
        return {
          ...status,
          message:
            'the mirror was removed behind our back, and recreating it is turned off: start it to create it again',
        };
      }
      return status;
    }
    const mode = this.containerMode ?? 'proxy';
    if (mode === 'proxy') return { ...status, mode };
    if (status.state === 'running' && this.repositories === undefined) {
      this.repositories = await readCatalog(this.o.mirrorFor('offline').baseUrl).then(
        (r) => r.length,
        () => undefined,
      );
    }
    const n = this.repositories;
    return {
      ...status,
      mode,
      ...(n !== undefined ? { cachedRepositories: n } : {}),
      ...(status.state === 'running'
        ? {
            message:
              this.o.chosenMode === 'offline' ? chosenOfflineMessage(n) : offlineMessage(n, this.lastFailure),
          }
        : {}),
    };
  }

  private onStatus(s: MirrorStatus): void {
    if (this.want === undefined && s.engine.reachable) {
      this.wanted = RUNNING.includes(s.state) ? 'running' : 'stopped';
    }
    if (this.holding) {
      this.held = true;
      return;
    }
    this.publish(s);
    void this.recover(s).catch(() => {});
  }

  private publish(s: MirrorStatus): void {
    // Stopped (a new keeper may serve the same listeners): a switch finishing late tells nobody.
    if (!this.started) return;
    this.lastEmitted = s;
    this.emit('status', s);
  }

  /** Starts or recreates a mirror that went away while the user wants it, one attempt at a time. */
  private async recover(s = this.monitor.current): Promise<void> {
    // Before the first probe the mode it should come back in is not known yet.
    if (!s || !this.started || this.want !== 'running' || !this.lastProbe) return;
    if (s.state !== 'stopped' && !(s.state === 'not-created' && this.o.recreate)) return;
    if (this.now() < this.recoverAfter) return;
    await this.trySection(async () => {
      // A removal seen half-way (stopped, then gone) is not a stop: the next status says not-created.
      const info = await this.inspect();
      if (info ? removing(info.State) : !this.o.recreate) return;
      await this.supervisor.consider(s);
    });
  }

  /**
   * The mode of the container while it serves; undefined when none does. Only a serving mirror has
   * something to lose by a switch: one that is stopped, starting, unhealthy or crash-looping (2.8 in
   * proxy mode without its upstream at start) goes where the last probe says at once.
   */
  private runningMode(): MirrorMode | undefined {
    const s = this.monitor.current;
    return s?.container && s.state === 'running' ? (this.containerMode ?? 'proxy') : undefined;
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  /** The mode the mirror should run now: the user's choice, else what the probes have agreed on. */
  private target(): MirrorMode {
    return this.o.chosenMode ?? this.hysteresis.target(this.runningMode(), this.now());
  }

  private inspect(): Promise<Docker.ContainerInspectInfo | undefined> {
    return this.o
      .mirrorFor('proxy')
      .inspect()
      .catch(() => undefined);
  }

  /** The container exists and is not on its way out. */
  private async present(): Promise<boolean> {
    const info = await this.inspect();
    return !!info && !removing(info.State);
  }

  /** Starts the container that exists, by its id; never creates one. */
  private async startExisting(): Promise<{ action: UpAction; status: MirrorStatus }> {
    const mirror = this.o.mirrorFor(this.containerMode ?? 'proxy');
    const gone = new AppError('NOT_CREATED', 'the mirror was removed, and recreating it is turned off');
    const info = await mirror.inspect();
    if (!info || removing(info.State)) throw gone;
    try {
      await this.o.docker.getContainer(info.Id).start();
    } catch (err) {
      const code = (err as { statusCode?: number }).statusCode;
      if (code === 404 || (code === 409 && /removal/i.test(messageOf(err)))) throw gone;
      if (code !== 304) throw err; // 304: already running
    }
    return { action: 'started', status: await mirror.waitUntilServing(20_000) };
  }

  private async probeOnce(): Promise<ProbeResult> {
    const r = await this.o
      .probe()
      .catch((err: unknown): ProbeResult => ({ reachable: false, reason: messageOf(err), ms: 0 }));
    this.lastProbe = r;
    if (!r.reachable) this.lastFailure = r.reason;
    this.emit('probe', r);
    return r;
  }

  private section<T>(fn: () => Promise<T>): Promise<T> {
    this.pending++;
    const run = this.lock.then(fn).finally(() => this.pending--);
    this.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Runs fn unless something else runs or waits: the keeper acts again at its next round. */
  private async trySection(fn: () => Promise<void>): Promise<void> {
    if (this.pending > 0) return;
    await this.section(fn);
  }

  private backoff(): number {
    return Math.min(MAX_BACKOFF_MS, (this.o.backoffMs ?? 2000) * 2 ** this.failures);
  }
}

/** A container on its way out (`docker rm -f`): stopped for a moment, then gone. */
function removing(state: { Status?: string; Dead?: boolean }): boolean {
  return state.Status === 'removing' || state.Dead === true;
}
