// Docker Desktop for Mac: ~/.docker/daemon.json, read when the engine starts. Applied with
// `docker desktop restart` (the CLI has it since Desktop 4.37), else by quitting the app (osascript),
// waiting for it to end and opening it again; then we wait until the engine answers.
import { join } from 'node:path';
import { messageOf } from '../../util/errors.js';
import { daemonJsonPaths } from '../daemon-json/index.js';
import { configureError } from '../errors.js';
import { commandLine, notInstalled, outputOf, type RunResult } from '../runner.js';
import { DaemonJsonEngine } from './daemon-json-engine.js';
import { answers, waitFor, withDefaults, type Deps } from './engine-info.js';
import type { AdapterDeps, Detection, EngineProbe } from './types.js';

export const DESKTOP_APP = '/Applications/Docker.app';
const QUIT = ['-e', 'quit app "Docker"'];
const IS_RUNNING = ['-e', 'application "Docker" is running'];

export interface DockerDesktopOptions extends AdapterDeps {
  /** how long to wait for the engine after a restart (default 180 s) */
  restartTimeoutMs?: number;
  /** how long to wait for the app to quit (default 60 s) */
  quitTimeoutMs?: number;
}

/** Hosts Docker Desktop sends plain HTTP to with its containerd image store: loopback only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export class DockerDesktop extends DaemonJsonEngine {
  readonly name = 'docker-desktop';
  readonly kind = 'docker-desktop' as const;
  private readonly deps: Deps;
  readonly socket: string;

  constructor(private readonly opts: DockerDesktopOptions = {}) {
    const deps = withDefaults(opts);
    // The engine runs in Desktop's VM: a dockerd on this Mac (if any) is not the one that reads the file.
    super(daemonJsonPaths(deps.home).dockerDesktop, false);
    this.deps = deps;
    this.socket = join(deps.home, '.docker', 'run', 'docker.sock');
  }

  protected probe(): EngineProbe {
    return this.deps.probeAt(this.socket);
  }

  async detect(): Promise<Detection> {
    if (this.deps.platform !== 'darwin') return { detected: false, how: `not macOS (${this.deps.platform})` };
    if (this.deps.exists(this.socket)) return { detected: true, how: `socket ${this.socket}` };
    if (this.deps.exists(DESKTOP_APP)) return { detected: true, how: `${DESKTOP_APP} (not running)` };
    return { detected: false, how: `no ${DESKTOP_APP} and no ${this.socket}` };
  }

  checkMirrorUrl(mirrorUrl: string): void {
    const host = new URL(mirrorUrl).hostname;
    if (mirrorUrl.startsWith('http://') && !isLoopbackHost(host)) {
      throw configureError(
        'LOOPBACK_REQUIRED',
        `Docker Desktop cannot use ${mirrorUrl}: with its containerd image store (the default since 4.34) it ` +
          'speaks plain HTTP only to loopback hosts and would try HTTPS at any other address. Publish the ' +
          'mirror on 127.0.0.1 (or 0.0.0.0) and use http://localhost:PORT.',
        { mirrorUrl },
      );
    }
  }

  plan(): string[] {
    return [
      `edit ${this.configFile} (registry-mirrors)`,
      'docker desktop restart (Docker Desktop 4.37 and later); else osascript -e \'quit app "Docker"\', then open -a Docker',
      `wait until ${this.socket} answers, check info().RegistryConfig.Mirrors`,
    ];
  }

  private async run(file: string, args: string[], timeoutMs = 60_000): Promise<RunResult | 'missing'> {
    try {
      return await this.deps.runner(file, args, { timeoutMs });
    } catch (err) {
      if (notInstalled(err)) return 'missing';
      throw configureError('APPLY_FAILED', `${commandLine(file, args)} could not be run: ${messageOf(err)}`);
    }
  }

  private async waitForEngine(after: string): Promise<void> {
    const timeout = this.opts.restartTimeoutMs ?? 180_000;
    if (!(await waitFor(() => answers(this.probe()), timeout, this.deps, 1000))) {
      throw configureError(
        'APPLY_FAILED',
        `Docker Desktop did not answer at ${this.socket} within ${timeout / 1000} s after ${after}: start it and run configure again`,
      );
    }
  }

  async apply(): Promise<string> {
    const restart = ['desktop', 'restart'];
    const r = await this.run('docker', restart, this.opts.restartTimeoutMs ?? 180_000);
    if (r !== 'missing' && r.code === 0) {
      await this.waitForEngine(commandLine('docker', restart));
      return commandLine('docker', restart);
    }
    const output = r === 'missing' ? '' : `${r.stdout}\n${r.stderr}`;
    // Only a CLI without the desktop plugin falls back; a restart that failed is reported as it is.
    if (r !== 'missing' && !/unknown command|is not a docker command/i.test(output)) {
      throw configureError('APPLY_FAILED', `${commandLine('docker', restart)} failed: ${outputOf(r)}`);
    }
    return this.quitAndReopen();
  }

  private async quitAndReopen(): Promise<string> {
    const done: string[] = [];
    const step = async (file: string, args: string[]) => {
      const r = await this.run(file, args);
      if (r === 'missing')
        throw configureError('APPLY_FAILED', `${file} is not available: restart Docker Desktop by hand`);
      if (r.code !== 0)
        throw configureError('APPLY_FAILED', `${commandLine(file, args)} failed: ${outputOf(r)}`);
      done.push(commandLine(file, args));
      return r;
    };
    await step('osascript', QUIT);
    const quitTimeout = this.opts.quitTimeoutMs ?? 60_000;
    const quit = await waitFor(
      async () => (await step('osascript', IS_RUNNING)).stdout.trim() === 'false',
      quitTimeout,
      this.deps,
      500,
    );
    if (!quit)
      throw configureError('APPLY_FAILED', `Docker Desktop did not quit within ${quitTimeout / 1000} s`);
    await step('open', ['-a', 'Docker']);
    await this.waitForEngine('open -a Docker');
    // The polling repeats the same check; say it once.
    return [...new Set(done)].join('; ');
  }
}
