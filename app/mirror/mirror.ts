// The mirror: the registry in proxy mode as a container we own. Up, down, restart, remove, status, logs.
import type Docker from 'dockerode';
import { keepAccessLog } from '../cache/access/log-spool.js';
import { repairSchedulerState } from '../cache/repair/scheduler-state.js';
import { demuxLogs } from '../docker/demux.js';
import { AppError, messageOf } from '../util/errors.js';
import { configArchive, containerSpec, LABELS, matchesSpec, UPSTREAM_CA_DIR } from './container-spec.js';
import { prepareDirs, writeFileAtomic } from './files.js';
import { registryAnswers } from './http.js';
import { chosenImage, hasImage, obtainImage, type PullProgress } from './image.js';
import { checkPort, nextFreePort, type ProcessLookup } from './ports.js';
import { registryMajorOf, renderRegistryConfig, REGISTRY_PORT, type MirrorMode } from './registry-config.js';
import {
  describeIssues,
  mirrorDirs,
  mirrorSettingsSchema,
  type MirrorSettings,
  type UpstreamCredentials,
} from './settings.js';
import { classifyContainer, debugPortOf, type MirrorStatus } from './status.js';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface MirrorOptions {
  docker: Docker;
  settings: MirrorSettings;
  credentials?: UpstreamCredentials | null;
  /** how the engine was found, for messages */
  endpoint?: string;
  /** the host where published ports appear: loopback for a local engine, the VM's address for docker-machine */
  engineHost?: string;
  platform?: NodeJS.Platform;
  portLookup?: ProcessLookup;
  /** how long `up` waits for GET /v2/ */
  healthTimeoutMs?: number;
  /**
   * The engine runs on another host (a docker-machine VM): settings.dataDir is a path on that host
   * (it cannot be a bind mount of this machine's disk), config.yml is copied into the container
   * before it starts, and nothing is written on this machine.
   */
  remoteStorage?: boolean;
  /** proxy (default), or offline: the same storage served read-only without the upstream */
  mode?: MirrorMode;
  /**
   * The user confirmed publishing beyond this machine while upstream credentials are set: anyone who
   * reaches the port could pull that account's private images through it.
   */
  exposeCredentials?: boolean;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export type UpAction = 'created' | 'recreated' | 'started' | 'unchanged';

export class Mirror {
  readonly settings: MirrorSettings;
  private readonly docker: Docker;

  constructor(private readonly opts: MirrorOptions) {
    const parsed = mirrorSettingsSchema.safeParse(opts.settings);
    if (!parsed.success) throw new AppError('INVALID_INPUT', describeIssues(parsed.error));
    this.settings = parsed.data;
    this.docker = opts.docker;
  }

  private get localEngine(): boolean {
    return !this.opts.engineHost || ['127.0.0.1', 'localhost', '::1'].includes(this.opts.engineHost);
  }

  /** What Docker engines should list in registry-mirrors. Loopback stays `localhost`: Docker Desktop's
   * containerd store speaks plain HTTP only to loopback hosts. */
  get mirrorUrl(): string {
    const b = this.settings.bindAddress;
    if (this.localEngine && (b === '127.0.0.1' || b === '0.0.0.0' || b === '::1' || b === '::')) {
      return `http://localhost:${this.settings.port}`;
    }
    const host = this.localEngine ? b : this.opts.engineHost!;
    return `http://${host.includes(':') ? `[${host}]` : host}:${this.settings.port}`;
  }

  /** Where this process reaches the registry over HTTP. */
  get baseUrl(): string {
    const b = this.settings.bindAddress;
    let host = this.localEngine
      ? b === '0.0.0.0'
        ? '127.0.0.1'
        : b === '::'
          ? '::1'
          : b
      : this.opts.engineHost!;
    if (host.includes(':')) host = `[${host}]`;
    return `http://${host}:${this.settings.port}`;
  }

  get configFile(): string {
    return join(mirrorDirs(this.settings).config, 'config.yml');
  }

  async inspect(): Promise<Docker.ContainerInspectInfo | undefined> {
    try {
      return await this.docker.getContainer(this.settings.containerName).inspect();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }

  private async pingEngine(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (err) {
      throw new AppError(
        'ENGINE_UNREACHABLE',
        `Docker is not reachable at ${this.opts.endpoint ?? 'its socket'} (${messageOf(err)}): start Docker and try again`,
      );
    }
  }

  private async portProblem(): Promise<AppError | undefined> {
    if (!this.localEngine) return undefined;
    const { port, bindAddress } = this.settings;
    const check = await checkPort(port, bindAddress, {
      ...(this.opts.platform ? { platform: this.opts.platform } : {}),
      ...(this.opts.portLookup ? { lookup: this.opts.portLookup } : {}),
    });
    if (check.free) return undefined;
    const suggestion = await nextFreePort(port, bindAddress);
    const who = check.heldBy ? ` by ${check.heldBy}` : '';
    const offer = suggestion ? `; port ${suggestion} is free` : '';
    return new AppError(
      'PORT_IN_USE',
      `port ${port} on ${bindAddress} is already in use${who}${check.hint ? ` (${check.hint})` : ''}${offer}`,
      { port, ...(check.heldBy ? { heldBy: check.heldBy } : {}), ...(suggestion ? { suggestion } : {}) },
    );
  }

  private get remote(): boolean {
    return this.opts.remoteStorage === true;
  }

  get remoteStorage(): boolean {
    return this.remote;
  }

  private majors = new Map<string, ReturnType<typeof registryMajorOf>>();

  /** An image's major version; read once (status runs every few seconds, the image's CMD does not change). */
  private async imageMajor(image: string): Promise<ReturnType<typeof registryMajorOf>> {
    const known = this.majors.get(image);
    if (known) return known;
    const cmd = await safeImageCmd(this.docker, image);
    const major = registryMajorOf(image, cmd ?? undefined);
    if (cmd) this.majors.set(image, major);
    return major;
  }

  get mode(): MirrorMode {
    return this.opts.mode ?? 'proxy';
  }

  /** The same mirror in another mode (same settings, engine and class). */
  inMode(mode: MirrorMode): Mirror {
    if (mode === this.mode) return this;
    const Same = this.constructor as new (opts: MirrorOptions) => Mirror;
    return new Same({ ...this.opts, settings: this.settings, mode });
  }

  /**
   * A container about to be removed takes its log with it: the pulls it logged are kept first, for the
   * access tracker to count (see cache/access/log-spool.ts). Best effort: a removal never waits on it
   * failing.
   */
  private async beforeRemoval(info: Docker.ContainerInspectInfo): Promise<void> {
    if (!this.remote) await keepAccessLog(this.docker, info, this.settings.dataDir);
  }

  /** The container it should be, running `image` (the settings' own, or the default's fallback). */
  private spec(
    image: string,
    major: ReturnType<typeof registryMajorOf>,
    configText: string,
    upstreamCa?: string,
  ) {
    return containerSpec({ ...this.settings, image }, major, configText, this.opts.credentials, {
      remoteStorage: this.remote,
      mode: this.mode,
      ...(upstreamCa ? { upstreamCa } : {}),
    });
  }

  /**
   * The upstream's CA as the settings name it: read and checked (a PEM certificate), or a clear
   * message; undefined when none is set.
   */
  async upstreamCa(): Promise<string | undefined> {
    const file = this.settings.upstreamCaFile;
    if (!file) return undefined;
    if (this.remote)
      throw new AppError(
        'INVALID_INPUT',
        '--upstream-ca: a mirror on a docker-machine VM cannot use an upstream CA from this machine yet',
      );
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new AppError('INVALID_INPUT', `--upstream-ca: cannot read ${file} (${messageOf(err)})`);
    }
    if (!/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(text))
      throw new AppError(
        'INVALID_INPUT',
        `--upstream-ca: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the CA's certificate`,
      );
    return text;
  }

  /** Creates or updates the container so it matches the settings, starts it and waits until it serves. */
  async up(
    onProgress?: (p: PullProgress) => void,
  ): Promise<{ action: UpAction; status: MirrorStatus; note?: string }> {
    if (this.opts.credentials && !LOOPBACK.has(this.settings.bindAddress) && !this.opts.exposeCredentials) {
      throw new AppError(
        'INVALID_INPUT',
        `publishing on ${this.settings.bindAddress} with upstream credentials set would let anyone who reaches port ` +
          `${this.settings.port} pull that account's private images: confirm explicitly, or bind to 127.0.0.1`,
      );
    }
    const upstreamCa = await this.upstreamCa();
    await this.pingEngine();
    if (!this.remote) {
      await prepareDirs(this.settings);
      // A truncated scheduler-state.json makes 2.8 panic at every start: move it aside first.
      await repairSchedulerState(mirrorDirs(this.settings).data);
    }
    const obtained = await obtainImage(this.docker, this.settings.image, onProgress);
    const image = await this.docker.getImage(obtained.image).inspect();
    const major = registryMajorOf(obtained.image, image.Config?.Cmd);
    const configText = renderRegistryConfig(this.settings, major, this.mode);
    const spec = this.spec(obtained.image, major, configText, upstreamCa);
    const existing = await this.inspect();
    if (existing && existing.Config.Labels?.[LABELS.managed] !== 'true') {
      throw new AppError(
        'INVALID_INPUT',
        `a container named ${this.settings.containerName} exists and was not made by this app: rename it or choose another name`,
      );
    }
    let action: UpAction;
    if (existing && matchesSpec(existing, spec)) {
      // Remote: the same hash means the same config.yml is already inside the container.
      if (!this.remote) await this.writeConfig(configText, upstreamCa);
      action = existing.State.Running ? 'unchanged' : 'started';
      if (!existing.State.Running) await this.start();
    } else {
      // Our own running container holds the port it publishes: only check when it will not free it.
      const holdsPort = existing?.State.Running && publishedPort(existing) === this.settings.port;
      if (!holdsPort) {
        const problem = await this.portProblem();
        if (problem) throw problem;
      }
      if (existing) {
        await this.beforeRemoval(existing);
        await this.docker.getContainer(existing.Id).remove({ force: true });
      }
      if (!this.remote) await this.writeConfig(configText, upstreamCa);
      const created = await this.docker.createContainer({
        ...spec.create,
        HostConfig: {
          ...spec.create.HostConfig,
          ...(this.settings.network ? { NetworkMode: this.settings.network } : {}),
        },
      });
      if (this.remote) await created.putArchive(configArchive(major, configText), { path: '/' });
      await this.start(true);
      action = existing ? 'recreated' : 'created';
    }
    const status = await this.waitUntilServing(this.opts.healthTimeoutMs ?? 20_000);
    return { action, status, ...(obtained.note ? { note: obtained.note } : {}) };
  }

  /** config.yml, and the upstream's CA beside it (or none left there), in the mounted config directory. */
  private async writeConfig(configText: string, upstreamCa: string | undefined): Promise<void> {
    const caDir = join(mirrorDirs(this.settings).config, UPSTREAM_CA_DIR);
    if (upstreamCa) {
      await mkdir(caDir, { recursive: true });
      await writeFileAtomic(join(caDir, 'ca.pem'), upstreamCa);
    } else await rm(caDir, { recursive: true, force: true });
    await writeFileAtomic(this.configFile, configText);
  }

  private async start(justCreated = false): Promise<void> {
    try {
      await this.docker.getContainer(this.settings.containerName).start();
    } catch (err) {
      const msg = messageOf(err);
      if (/address already in use|port is already allocated/i.test(msg)) {
        if (justCreated) await this.docker.getContainer(this.settings.containerName).remove({ force: true });
        throw (await this.portProblem()) ?? new AppError('PORT_IN_USE', msg, { port: this.settings.port });
      }
      if ((err as { statusCode?: number }).statusCode === 304) return; // already running
      throw err;
    }
  }

  /** Polls until the registry answers, crash-loops, or the time runs out; returns the last status. */
  async waitUntilServing(timeoutMs: number): Promise<MirrorStatus> {
    const deadline = Date.now() + timeoutMs;
    const first = await this.inspect();
    const baseline = first?.RestartCount ?? 0;
    for (;;) {
      const status = await this.status(baseline);
      if (status.state === 'running' || status.state === 'crash-looping') return status;
      if (Date.now() > deadline) return status;
      await sleep(100);
    }
  }

  async down(): Promise<boolean> {
    await this.pingEngine();
    const info = await this.inspect();
    if (!info?.State.Running) return false;
    await this.docker.getContainer(info.Id).stop({ t: 5 });
    return true;
  }

  async restart(): Promise<MirrorStatus> {
    await this.pingEngine();
    const info = await this.inspect();
    if (!info) throw new AppError('NOT_CREATED', 'the mirror has not been created yet: run up first');
    await this.docker.getContainer(info.Id).restart({ t: 5 });
    return this.waitUntilServing(this.opts.healthTimeoutMs ?? 20_000);
  }

  /** Removes the container; the data directory (the cache) stays. */
  async remove(): Promise<boolean> {
    await this.pingEngine();
    const info = await this.inspect();
    if (!info) return false;
    await this.beforeRemoval(info);
    await this.docker.getContainer(info.Id).remove({ force: true });
    return true;
  }

  async status(previousRestartCount?: number): Promise<MirrorStatus> {
    const base = {
      mirrorUrl: this.mirrorUrl,
      checkedAt: new Date().toISOString(),
    };
    const endpoint = this.opts.endpoint ?? 'default';
    let version: Docker.DockerVersion;
    try {
      version = await this.docker.version();
    } catch (err) {
      return {
        ...base,
        state: 'engine-unreachable',
        message: `Docker is not reachable at ${endpoint} (${messageOf(err)}): start Docker`,
        engine: { endpoint, reachable: false },
      };
    }
    const engine = { endpoint, reachable: true, version: version.Version, os: version.Os };
    try {
      return await this.statusOnEngine(base, engine, previousRestartCount);
    } catch (err) {
      // The engine went away between two requests (a restart, a crash): that is a state, not a failure.
      if (
        await this.docker.ping().then(
          () => true,
          () => false,
        )
      )
        throw err;
      return {
        ...base,
        state: 'engine-unreachable',
        message: `Docker is not reachable at ${endpoint} (${messageOf(err)}): start Docker`,
        engine: { endpoint, reachable: false },
      };
    }
  }

  private async statusOnEngine(
    base: Pick<MirrorStatus, 'mirrorUrl' | 'checkedAt'>,
    engine: MirrorStatus['engine'],
    previousRestartCount?: number,
  ): Promise<MirrorStatus> {
    const info = await this.inspect();
    // The container runs the settings' image (the usual case): no image lookups on every status.
    const image =
      info?.Config.Image === this.settings.image
        ? this.settings.image
        : await chosenImage(this.docker, this.settings.image);
    if (!info) {
      if (!(await hasImage(this.docker, image))) {
        return {
          ...base,
          engine,
          state: 'image-missing',
          message: `the registry image ${image} is not on this engine yet: up pulls it`,
        };
      }
      const problem = await this.portProblem();
      if (problem) {
        return {
          ...base,
          engine,
          state: 'port-in-use',
          message: problem.message,
          port: portDetails(problem),
        };
      }
      return {
        ...base,
        engine,
        state: 'not-created',
        message: 'the mirror has not been created yet: run up',
      };
    }
    const healthy = info.State.Running ? await registryAnswers(this.baseUrl) : false;
    const cls = classifyContainer(info, healthy, Date.now(), previousRestartCount);
    const major = await this.imageMajor(image);
    const upstreamCa = await this.upstreamCa().catch(() => undefined);
    const spec = this.spec(image, major, renderRegistryConfig(this.settings, major, this.mode), upstreamCa);
    const debugPort = debugPortOf(info);
    const hostPort = publishedPort(info);
    return {
      ...base,
      engine,
      ...cls,
      container: {
        id: info.Id,
        name: info.Name.replace(/^\//, ''),
        image: info.Config.Image,
        running: info.State.Running,
        restartCount: info.RestartCount ?? 0,
        exitCode: info.State.ExitCode,
        startedAt: info.State.StartedAt,
        configCurrent: matchesSpec(info, spec),
        registry: registryMajorOf(info.Config.Image, info.Config.Cmd),
        ...(debugPort ? { debugPort } : {}),
        ...(hostPort ? { hostPort } : {}),
      },
    };
  }

  /** The registry's log lines (stdout and stderr), demultiplexed. */
  async logs(tail = 200): Promise<string> {
    const info = await this.inspect();
    if (!info) throw new AppError('NOT_CREATED', 'the mirror has not been created yet: run up first');
    const buf = (await this.docker
      .getContainer(info.Id)
      .logs({ stdout: true, stderr: true, follow: false, tail })) as unknown as Buffer;
    return demuxLogs(buf);
  }

  /** Follows the log; returns a function that stops following. */
  async followLogs(onLine: (line: string) => void, tail = 50): Promise<() => void> {
    const info = await this.inspect();
    if (!info) throw new AppError('NOT_CREATED', 'the mirror has not been created yet: run up first');
    const stream = (await this.docker
      .getContainer(info.Id)
      .logs({ stdout: true, stderr: true, follow: true, tail })) as NodeJS.ReadableStream & {
      destroy(): void;
    };
    let pending = '';
    const sink = new (await import('node:stream')).Writable({
      write(chunk: Buffer, _enc, cb) {
        pending += chunk.toString('utf8');
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const l of lines) onLine(l);
        cb();
      },
    });
    this.docker.modem.demuxStream(stream, sink, sink);
    return () => stream.destroy();
  }

  /** The debug (metrics) endpoint on loopback, when the container publishes it. */
  async debugUrl(): Promise<string | undefined> {
    const info = await this.inspect();
    const port = info && debugPortOf(info);
    return port ? `http://127.0.0.1:${port}` : undefined;
  }
}

/** The mode a container of ours runs in, from its label (the mode is in its config too). */
export function modeOf(info: Pick<Docker.ContainerInspectInfo, 'Config'>): MirrorMode {
  return info.Config.Labels?.[LABELS.mode] === 'offline' ? 'offline' : 'proxy';
}

function publishedPort(info: Docker.ContainerInspectInfo): number | undefined {
  const p = info.HostConfig?.PortBindings?.[`${REGISTRY_PORT}/tcp`]?.[0]?.HostPort;
  return p ? Number(p) : undefined;
}

function portDetails(err: AppError): MirrorStatus['port'] {
  const d = err.details ?? {};
  return {
    port: Number(d.port),
    ...(typeof d.heldBy === 'string' ? { heldBy: d.heldBy } : {}),
    ...(typeof d.suggestion === 'number' ? { suggestion: d.suggestion } : {}),
  };
}

async function safeImageCmd(docker: Docker, image: string): Promise<string[] | null> {
  try {
    return (await docker.getImage(image).inspect()).Config?.Cmd ?? null;
  } catch {
    return null;
  }
}
