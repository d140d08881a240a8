// OrbStack: ~/.orbstack/config/docker.json holds daemon.json keys; `orb restart docker` applies it
// (OrbStack is closed source: this follows its documentation and user reports).
import { join } from 'node:path';
import { messageOf } from '../../util/errors.js';
import { daemonJsonPaths } from '../daemon-json/index.js';
import { configureError } from '../errors.js';
import { commandLine, notInstalled, outputOf } from '../runner.js';
import { DaemonJsonEngine } from './daemon-json-engine.js';
import { answers, waitFor, withDefaults, type Deps } from './engine-info.js';
import type { AdapterDeps, Detection, EngineProbe } from './types.js';

export const ORBSTACK_APP = '/Applications/OrbStack.app';

export class OrbStack extends DaemonJsonEngine {
  readonly name = 'orbstack';
  readonly kind = 'orbstack' as const;
  private readonly deps: Deps;
  readonly socket: string;

  constructor(private readonly opts: AdapterDeps & { restartTimeoutMs?: number } = {}) {
    const deps = withDefaults(opts);
    super(daemonJsonPaths(deps.home).orbstack, false);
    this.deps = deps;
    this.socket = join(deps.home, '.orbstack', 'run', 'docker.sock');
  }

  protected probe(): EngineProbe {
    return this.deps.probeAt(this.socket);
  }

  async detect(): Promise<Detection> {
    if (this.deps.platform !== 'darwin') return { detected: false, how: `not macOS (${this.deps.platform})` };
    if (this.deps.exists(this.socket)) return { detected: true, how: `socket ${this.socket}` };
    if (this.deps.exists(ORBSTACK_APP)) return { detected: true, how: `${ORBSTACK_APP} (not running)` };
    return { detected: false, how: `no ${ORBSTACK_APP} and no ${this.socket}` };
  }

  plan(): string[] {
    return [
      `edit ${this.configFile} (registry-mirrors)`,
      'orb restart docker',
      `wait until ${this.socket} answers, check info().RegistryConfig.Mirrors`,
    ];
  }

  async apply(): Promise<string> {
    const args = ['restart', 'docker'];
    // The app puts `orb` in ~/.orbstack/bin, which is not always on PATH.
    for (const orb of ['orb', join(this.deps.home, '.orbstack', 'bin', 'orb')]) {
      let r;
      try {
        r = await this.deps.runner(orb, args, { timeoutMs: 180_000 });
      } catch (err) {
        if (notInstalled(err)) continue;
        throw configureError('APPLY_FAILED', `${commandLine(orb, args)} could not be run: ${messageOf(err)}`);
      }
      if (r.code !== 0)
        throw configureError('APPLY_FAILED', `${commandLine(orb, args)} failed: ${outputOf(r)}`);
      const timeout = this.opts.restartTimeoutMs ?? 120_000;
      if (!(await waitFor(() => answers(this.probe()), timeout, this.deps, 1000))) {
        throw configureError(
          'APPLY_FAILED',
          `OrbStack's engine did not answer within ${timeout / 1000} s after orb restart docker`,
        );
      }
      return commandLine(orb, args);
    }
    throw configureError(
      'NOT_INSTALLED',
      'the orb command was not found (on PATH or in ~/.orbstack/bin): restart OrbStack by hand',
    );
  }
}
