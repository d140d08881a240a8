// The mirror as the app runs it: one engine handle (Docker client, the Mirror of each mode, a keeper
// that watches its status, switches it offline while the upstream is unreachable and brings it back
// when it goes away behind the app's back, the cache) rebuilt when the settings or credentials change,
// one operation at a time (prunes and resets too, as they stop the mirror), and status/operation/
// progress/keeper events. The user's start and stop are the keeper's `wanted`: it never fights them.
// Shared by the Electron main process and the browser bridge; main/index.ts builds the real handle,
// tests pass fakes.
import { EventEmitter } from 'node:events';
import Docker from 'dockerode';
import { CacheService } from '../cache/service.js';
import { ShellError } from '../contract/envelope.js';
import type { KeeperEvent, Operation, Progress } from '../contract/values.js';
import { describeEndpoint, dockerodeOptions, resolveEndpoint } from '../docker/connection.js';
import type { PullProgress } from '../mirror/image.js';
import { MirrorKeeper, type KeeperEvents, type Wanted } from '../mirror/keeper.js';
import { Mirror, type MirrorOptions, type UpAction } from '../mirror/mirror.js';
import type { MirrorMode } from '../mirror/registry-config.js';
import { StatusMonitor } from '../mirror/monitor.js';
import { KeptMirror, openMirror, upstreamProbe } from '../mirror/startup.js';
import { recreatesMirror, type MirrorSettings, type UpstreamCredentials } from '../mirror/settings.js';
import type { MirrorStatus } from '../mirror/status.js';
import type { ProbeResult } from '../mirror/upstream-probe.js';
import { verifyMirror, type VerifyReport, type VerifyStep } from '../mirror/verify.js';
import { defaultPaths } from '../settings/paths.js';
import { AppError, messageOf } from '../util/errors.js';
import type { ServiceLogger } from './types.js';

export interface MirrorPort {
  up(onProgress?: (p: PullProgress) => void): Promise<{ action: UpAction; status: MirrorStatus }>;
  down(): Promise<boolean>;
  restart(): Promise<MirrorStatus>;
  logs(tail?: number): Promise<string>;
}

export interface MonitorPort {
  start(): void;
  stop(): void;
  refresh(): Promise<MirrorStatus>;
  on(event: 'status', listener: (status: MirrorStatus) => void): unknown;
}

/** What the service needs of a MirrorKeeper (tests pass a fake). */
export interface KeeperPort {
  wanted: Wanted | undefined;
  start(): void;
  /** resolves once what it was doing is done */
  stop(): Promise<void>;
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  on<K extends keyof KeeperEvents>(event: K, listener: (...args: KeeperEvents[K]) => void): unknown;
}

export interface EngineHandle {
  mirror: MirrorPort;
  monitor: MonitorPort;
  /**
   * Keeps the mirror serving (offline mode, recovery); its status events replace the monitor's.
   * Absent: the service only watches, as it did before the keeper.
   */
  keeper?: KeeperPort;
  verify(opts: { image?: string; onStep: (step: VerifyStep) => void }): Promise<VerifyReport>;
  /** the cache of this mirror (absent in tests that do not need it) */
  cache?: CacheService;
}

export type BuildEngine = (
  settings: MirrorSettings,
  credentials: UpstreamCredentials | null,
) => Promise<EngineHandle>;

export interface MirrorServiceDeps {
  build: BuildEngine;
  /** the upstream credentials in clear, or null; only ever passed on to the mirror container */
  credentials(): Promise<UpstreamCredentials | null>;
  log: ServiceLogger;
  now?: () => number;
  /** what the user wants before they say (`drpc watch` and the keeper: running); else learnt at start */
  wanted?: Wanted;
}

/** The safety-net interval of the status monitor; Docker events drive most updates. */
export const MONITOR_INTERVAL_MS = 15_000;
/** How often the app probes the upstream, as `drpc watch` does by default. */
export const PROBE_INTERVAL_MS = 5_000;

export interface KeeperTuning {
  /** false: watch the status only, no mode switching and no recovery */
  enabled?: boolean;
  /**
   * Probes the upstream from this machine (default: GET /v2/ of the settings' upstream, 3 s). The app
   * passes its UpstreamWatch's check, so the header's upstream line and the mode come from one probe.
   */
  probe?: (settings: MirrorSettings) => Promise<ProbeResult>;
  probeIntervalMs?: number;
  backoffMs?: number;
  /** the user chose the mode (`drpc up --offline` leaves a keeper that keeps it): no switching */
  mode?: MirrorMode;
}

/**
 * The real engine: Docker found the way the CLI finds it, the core's Mirror (one per mode), a
 * MirrorKeeper (status monitor, mode controller, supervisor) and CacheService (its pull records and
 * statistics in `stateDir`, the CLI's directory by default).
 */
export function realEngine(
  env: NodeJS.ProcessEnv,
  intervalMs = MONITOR_INTERVAL_MS,
  stateDir = defaultPaths(env).configDir,
  tuning: KeeperTuning = {},
): BuildEngine {
  return async (settings, credentials) => {
    const endpoint = await resolveEndpoint({ env });
    const docker = new Docker(dockerodeOptions(endpoint));
    const options = (mode: MirrorMode): MirrorOptions => ({
      docker,
      settings,
      credentials,
      endpoint: describeEndpoint(endpoint),
      ...(endpoint.kind === 'tcp' ? { engineHost: endpoint.host } : {}),
      mode,
    });
    const mirrors = {
      proxy: new CheckedMirror(options('proxy')),
      offline: new CheckedMirror(options('offline')),
    };
    const mirrorFor = (mode: MirrorMode) => mirrors[mode];
    // A prune, a reset or a prune's recovery restarts the mirror in the mode it is kept in.
    let keptMode = (): MirrorMode => 'proxy';
    const cache = new CacheService({
      docker,
      mirror: new KeptMirror(options('proxy'), () => keptMode(), mirrorFor),
      stateDir,
    });
    if (tuning.enabled === false) {
      const mirror = mirrors.proxy;
      const monitor = new StatusMonitor(docker, mirror, intervalMs);
      return { mirror, monitor, verify: (opts) => verifyMirror(docker, mirror, opts), cache };
    }
    const probe = tuning.probe ?? upstreamProbe(docker, settings, undefined, 3000, credentials);
    const keeper = new MirrorKeeper({
      docker,
      mirrorFor,
      probe: () => probe(settings),
      recreate: recreatesMirror(settings),
      ...(tuning.mode ? { chosenMode: tuning.mode } : {}),
      statusIntervalMs: intervalMs,
      probeIntervalMs: tuning.probeIntervalMs ?? PROBE_INTERVAL_MS,
      ...(tuning.backoffMs !== undefined ? { backoffMs: tuning.backoffMs } : {}),
    });
    keptMode = () => (keeper.mode === 'unknown' ? keeper.mirror().mode : keeper.mode);
    // up is the startup sequence (app/mirror/startup.ts): recovery, repairs, the mode the probe allows.
    // down, restart and logs act on the same container whatever its mode.
    const mirror: MirrorPort = {
      up: (onProgress) =>
        openMirror({
          docker,
          mirrorFor,
          probe: () => probe(settings),
          ...(onProgress ? { onProgress } : {}),
        }),
      down: () => keeper.mirror().down(),
      restart: () => keeper.mirror().restart(),
      logs: (tail) => keeper.mirror().logs(tail),
    };
    return {
      mirror,
      monitor: keeper.monitor,
      keeper,
      verify: (opts) => verifyMirror(docker, keeper.mirror(), opts),
      cache,
    };
  };
}

/**
 * A status check never fails: the engine going away between two of its requests (Docker quitting, a
 * restart) is "Docker is not reachable", not an error the status monitor's timer would drop unhandled.
 */
class CheckedMirror extends Mirror {
  override async status(previousRestartCount?: number): Promise<MirrorStatus> {
    try {
      return await super.status(previousRestartCount);
    } catch (err) {
      return {
        state: 'engine-unreachable',
        message: `Docker stopped answering (${messageOf(err)}): start Docker`,
        mirrorUrl: this.mirrorUrl,
        engine: { endpoint: 'unreachable', reachable: false },
        checkedAt: new Date().toISOString(),
      };
    }
  }
}

/** After the user stops or recreates the mirror, state changes in this window are theirs, not a crash. */
const USER_ACTION_WINDOW_MS = 30_000;

export class MirrorService extends EventEmitter<{
  status: [MirrorStatus];
  operation: [Operation];
  progress: [Progress];
  /** a new engine handle is in use (undefined: none, e.g. Docker could not be found) */
  engine: [EngineHandle | undefined];
  /** the keeper switched the mode, recovered the mirror, or failed to */
  keeper: [KeeperEvent];
}> {
  private handle?: EngineHandle;
  private settings?: MirrorSettings;
  private last?: MirrorStatus;
  private running: Operation = null;
  private userActionAt = -Infinity;
  private generation = 0;
  /** the user's last start or stop, carried from one engine handle to the next */
  private wanted?: Wanted;
  /** the previous handle's keeper finishing what it was doing: the next one starts after it */
  private settling: Promise<void> = Promise.resolve();

  constructor(private readonly deps: MirrorServiceDeps) {
    super();
    this.wanted = deps.wanted;
  }

  get current(): MirrorStatus | undefined {
    return this.last;
  }

  get operation(): Operation {
    return this.running;
  }

  /** Whether the latest change of state was (probably) caused by the user through the app. */
  get userInitiated(): boolean {
    return this.running !== null || this.now() - this.userActionAt < USER_ACTION_WINDOW_MS;
  }

  /** What the user asked for last (learnt from the mirror's state at start when they have not said). */
  get wantedState(): Wanted | undefined {
    return this.handle?.keeper?.wanted ?? this.wanted;
  }

  /** (Re)builds the engine handle for these settings; the container itself is not touched. */
  async configure(settings: MirrorSettings): Promise<void> {
    this.settings = settings;
    const generation = ++this.generation;
    this.release();
    let handle: EngineHandle;
    try {
      handle = await this.deps.build(settings, await this.deps.credentials());
    } catch (err) {
      this.deps.log.warn('cannot reach the Docker engine', { message: messageOf(err) });
      this.publish(unreachable(settings, messageOf(err)));
      return;
    }
    // A newer configure() finished first: this handle is stale.
    if (generation !== this.generation) return;
    const keeper = handle.keeper;
    // Two keepers never act at once: the old one may be half-way through a switch.
    if (keeper) await this.settling;
    if (generation !== this.generation) {
      void keeper?.stop();
      return;
    }
    this.handle = handle;
    if (keeper) {
      if (this.wanted) keeper.wanted = this.wanted;
      const mine = () => this.handle === handle;
      keeper.on('status', (s) => {
        if (mine()) this.publish(s);
      });
      keeper.on('mode', (c) => {
        if (!mine()) return;
        this.deps.log.info('mirror mode changed', { mode: c.mode, message: c.message });
        this.emit('keeper', { kind: 'mode', ...c, at: this.stamp() });
      });
      keeper.on('recovered', (r) => {
        if (!mine()) return;
        const what = r.from === 'not-created' ? 'removed' : r.from;
        const done = r.action === 'recreated' ? 'recreated' : 'started again';
        const message = `the mirror was ${what} behind the app's back: ${done} in ${r.ms} ms`;
        this.deps.log.info('mirror recovered', { ...r });
        // The user's own start (from any front end) racing the keeper: nothing happened behind the
        // app's back, so no front end is told of a fault.
        if (this.running === 'up' || this.running === 'restart') return;
        this.emit('keeper', { kind: 'recovered', ...r, message, at: this.stamp() });
      });
      keeper.on('failed', (err) => {
        if (!mine()) return;
        this.deps.log.warn('keeping the mirror serving failed', { message: messageOf(err) });
        this.emit('keeper', { kind: 'failed', message: messageOf(err), at: this.stamp() });
      });
      keeper.start();
    } else {
      handle.monitor.on('status', (s) => {
        if (this.handle === handle) this.publish(s);
      });
      handle.monitor.start();
    }
    this.emit('engine', handle);
  }

  /** The settings the engine handle was built for. */
  get mirrorSettings(): MirrorSettings | undefined {
    return this.settings;
  }

  /** The cache of the current engine handle. */
  async cache(): Promise<CacheService> {
    const handle = await this.ready();
    if (!handle.cache) throw new AppError('INTERNAL', 'this engine has no cache');
    return handle.cache;
  }

  /**
   * Runs something that stops or changes the mirror (a prune, a reset) as an operation of its own:
   * never alongside up/down/verify, announced as `operation` events like them.
   */
  exclusive<T>(op: 'prune' | 'reset', fn: (handle: EngineHandle) => Promise<T>): Promise<T> {
    // The keeper stands still meanwhile: a prune stops the mirror, and nobody may start it mid-collection.
    return this.run(op, fn);
  }

  /** Checks now (after sleep, or when the UI asks). */
  async refresh(): Promise<MirrorStatus> {
    const handle = await this.ready();
    const status = await handle.monitor.refresh();
    this.publish(status);
    return status;
  }

  up(): Promise<{ action: UpAction; status: MirrorStatus }> {
    return this.run('up', async (h) =>
      h.mirror.up((pull) => this.emit('progress', { operation: 'up', pull })),
    );
  }

  down(): Promise<{ stopped: boolean }> {
    return this.run('down', async (h) => ({ stopped: await h.mirror.down() }));
  }

  restart(): Promise<MirrorStatus> {
    return this.run('restart', (h) => h.mirror.restart());
  }

  verify(image?: string): Promise<VerifyReport> {
    return this.run('verify', (h) =>
      h.verify({
        ...(image ? { image } : {}),
        onStep: (step) => this.emit('progress', { operation: 'verify', step }),
      }),
    );
  }

  async logs(tail?: number): Promise<string> {
    return (await this.ready()).mirror.logs(tail);
  }

  /** Stops watching (and keeping); the container keeps running. */
  dispose(): void {
    this.generation++;
    this.release();
  }

  /** Stops watching and keeping; resolves once a switch or recovery under way has finished. */
  async close(): Promise<void> {
    this.dispose();
    await this.settling;
  }

  /** Stops the current handle's monitor or keeper, remembering what the user wanted. */
  private release(): void {
    const handle = this.handle;
    if (!handle) return;
    this.wanted = handle.keeper?.wanted ?? this.wanted;
    if (handle.keeper) this.settling = handle.keeper.stop().catch(() => {});
    else handle.monitor.stop();
    this.handle = undefined;
    this.emit('engine', undefined);
  }

  private async run<T>(op: NonNullable<Operation>, fn: (h: EngineHandle) => Promise<T>): Promise<T> {
    if (this.running)
      throw new ShellError('BUSY', `the mirror is busy (${this.running}): try again when it is done`);
    this.running = op;
    if (op !== 'verify') this.userActionAt = this.now();
    // Said before acting: the keeper must not start a mirror the user is stopping, or the reverse.
    if (op === 'up' || op === 'restart') this.want('running');
    if (op === 'down') this.want('stopped');
    this.emit('operation', op);
    try {
      const handle = await this.ready();
      return await (handle.keeper ? handle.keeper.exclusive(() => fn(handle)) : fn(handle));
    } finally {
      if (op !== 'verify') this.userActionAt = this.now();
      this.running = null;
      this.emit('operation', null);
      // The monitor would notice soon; checking now updates the tray at once.
      void this.refresh().catch(() => {});
    }
  }

  private async ready(): Promise<EngineHandle> {
    if (!this.handle && this.settings) await this.configure(this.settings);
    if (!this.handle) {
      throw new AppError(
        'ENGINE_UNREACHABLE',
        this.last?.message ?? 'the Docker engine is not connected yet',
      );
    }
    return this.handle;
  }

  private want(w: Wanted): void {
    this.wanted = w;
    if (this.handle?.keeper) this.handle.keeper.wanted = w;
  }

  private stamp(): string {
    return new Date(this.now()).toISOString();
  }

  private publish(status: MirrorStatus): void {
    this.last = status;
    this.emit('status', status);
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }
}

/** The status when no engine handle could be built at all (e.g. DOCKER_HOST is malformed). */
function unreachable(settings: MirrorSettings, message: string): MirrorStatus {
  return {
    state: 'engine-unreachable',
    message: `Docker is not reachable (${message}): start Docker`,
    mirrorUrl: `http://localhost:${settings.port}`,
    engine: { endpoint: 'unresolved', reachable: false },
    checkedAt: new Date().toISOString(),
  };
}
