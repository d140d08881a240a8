// The mirror as the app runs it: one engine handle (Docker client, Mirror, StatusMonitor, the cache)
// rebuilt when the settings or credentials change, one operation at a time (prunes and resets too, as
// they stop the mirror), and status/operation/progress events. Shared by the Electron main process and
// the browser bridge; main/index.ts builds the real handle, tests pass fakes.
import { EventEmitter } from 'node:events';
import Docker from 'dockerode';
import { CacheService } from '../cache/service.js';
import { ShellError } from '../contract/envelope.js';
import type { Operation, Progress } from '../contract/values.js';
import { describeEndpoint, dockerodeOptions, resolveEndpoint } from '../docker/connection.js';
import type { PullProgress } from '../mirror/image.js';
import { Mirror, type UpAction } from '../mirror/mirror.js';
import { StatusMonitor } from '../mirror/monitor.js';
import type { MirrorSettings, UpstreamCredentials } from '../mirror/settings.js';
import type { MirrorStatus } from '../mirror/status.js';
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

export interface EngineHandle {
  mirror: MirrorPort;
  monitor: MonitorPort;
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
}

/** The safety-net interval of the status monitor; Docker events drive most updates. */
export const MONITOR_INTERVAL_MS = 15_000;

/**
 * The real engine: Docker found the way the CLI finds it, the core's Mirror, StatusMonitor and
 * CacheService (its pull records and statistics in `stateDir`, the CLI's directory by default).
 */
export function realEngine(
  env: NodeJS.ProcessEnv,
  intervalMs = MONITOR_INTERVAL_MS,
  stateDir = defaultPaths(env).configDir,
): BuildEngine {
  return async (settings, credentials) => {
    const endpoint = await resolveEndpoint({ env });
    const docker = new Docker(dockerodeOptions(endpoint));
    const mirror = new CheckedMirror({
      docker,
      settings,
      credentials,
      endpoint: describeEndpoint(endpoint),
      ...(endpoint.kind === 'tcp' ? { engineHost: endpoint.host } : {}),
    });
    const monitor = new StatusMonitor(docker, mirror, intervalMs);
    const cache = new CacheService({ docker, mirror, stateDir });
    return { mirror, monitor, verify: (opts) => verifyMirror(docker, mirror, opts), cache };
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
}> {
  private handle?: EngineHandle;
  private settings?: MirrorSettings;
  private last?: MirrorStatus;
  private running: Operation = null;
  private userActionAt = -Infinity;
  private generation = 0;

  constructor(private readonly deps: MirrorServiceDeps) {
    super();
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

  /** (Re)builds the engine handle for these settings; the container itself is not touched. */
  async configure(settings: MirrorSettings): Promise<void> {
    this.settings = settings;
    const generation = ++this.generation;
    this.handle?.monitor.stop();
    if (this.handle) this.emit('engine', undefined);
    this.handle = undefined;
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
    this.handle = handle;
    handle.monitor.on('status', (s) => {
      if (this.handle === handle) this.publish(s);
    });
    handle.monitor.start();
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

  /** Stops watching; the container keeps running. */
  dispose(): void {
    this.generation++;
    this.handle?.monitor.stop();
    if (this.handle) this.emit('engine', undefined);
    this.handle = undefined;
  }

  private async run<T>(op: NonNullable<Operation>, fn: (h: EngineHandle) => Promise<T>): Promise<T> {
    if (this.running)
      throw new ShellError('BUSY', `the mirror is busy (${this.running}): try again when it is done`);
    this.running = op;
    if (op !== 'verify') this.userActionAt = this.now();
    this.emit('operation', op);
    try {
      const handle = await this.ready();
      return await fn(handle);
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
