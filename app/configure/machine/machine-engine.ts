// A docker-machine VM as an engine adapter: its boot2docker profile edited over ssh, applied by
// `docker-machine restart`, verified through its own engine (TLS, from `docker-machine env`).
import { configureError } from '../errors.js';
import { mirrorsOf, waitFor, withDefaults, type Deps } from '../engines/engine-info.js';
import type { AdapterDeps, Detection, EditResult, EngineAdapter } from '../engines/types.js';
import type { EngineUndoRecord } from '../undo-store.js';
import { assertMachineName, type DockerMachine } from './cli.js';
import { connectMachine } from './connection.js';
import { hasMirrorFlags, mirrorFlagsFor, type MirrorFlags } from './profile.js';
import { configureProfile, PROFILE_PATH, readProfile, undoProfile } from './remote-profile.js';

/** The flags from a mirror URL: http://IP:PORT -> --registry-mirror http://IP:PORT, --insecure-registry IP:PORT. */
export function flagsFromUrl(mirrorUrl: string): MirrorFlags {
  const url = new URL(mirrorUrl);
  if (url.protocol !== 'http:' || !url.port) {
    throw configureError('BAD_NAME', `a machine's mirror is http://HOST:PORT (got ${mirrorUrl})`, {
      mirrorUrl,
    });
  }
  return mirrorFlagsFor(url.hostname.replace(/^\[(.*)\]$/, '$1'), Number(url.port));
}

/** What to add to `docker-machine create` so a new machine uses the mirror, ready to copy. */
export function newMachineFlags(mirrorUrl: string): string[] {
  const f = flagsFromUrl(mirrorUrl);
  return ['--engine-registry-mirror', f.mirror, '--engine-insecure-registry', f.insecureRegistry];
}

export class MachineEngine implements EngineAdapter {
  readonly kind = 'machine' as const;
  readonly name: string;
  readonly configFile: string;
  private readonly deps: Deps;

  constructor(
    readonly machine: string,
    private readonly dm: DockerMachine,
    private readonly opts: AdapterDeps & { restartTimeoutMs?: number } = {},
  ) {
    assertMachineName(machine);
    this.name = `machine:${machine}`;
    this.configFile = `${machine}:${PROFILE_PATH}`;
    this.deps = withDefaults(opts);
  }

  async detect(): Promise<Detection> {
    const state = await this.dm.status(this.machine);
    return { detected: true, how: `docker-machine: ${this.machine} is ${state}` };
  }

  private async requireRunning(): Promise<void> {
    const state = await this.dm.status(this.machine);
    if (state !== 'Running') {
      throw configureError(
        'NOT_RUNNING',
        `machine "${this.machine}" is ${state}, not running: start it with \`docker-machine start ${this.machine}\``,
        { machine: this.machine },
      );
    }
  }

  async isConfigured(mirrorUrl: string): Promise<boolean> {
    const text = await readProfile(this.dm, this.machine);
    const have = hasMirrorFlags(text ?? '', flagsFromUrl(mirrorUrl));
    return have.mirror;
  }

  async engineMirrors(): Promise<string[] | null> {
    try {
      return await mirrorsOf((await connectMachine(this.dm, this.machine)).docker);
    } catch {
      return null;
    }
  }

  checkMirrorUrl(mirrorUrl: string): void {
    flagsFromUrl(mirrorUrl);
  }

  plan(mirrorUrl: string): string[] {
    const f = flagsFromUrl(mirrorUrl);
    return [
      `docker-machine ssh ${this.machine}: add --registry-mirror ${f.mirror} and --insecure-registry ${f.insecureRegistry} to EXTRA_ARGS in ${PROFILE_PATH}`,
      `docker-machine restart ${this.machine}`,
      `check info().RegistryConfig.Mirrors through docker-machine env ${this.machine}`,
    ];
  }

  async edit(mirrorUrl: string): Promise<EditResult> {
    await this.requireRunning();
    const flags = flagsFromUrl(mirrorUrl);
    const r = await configureProfile(this.dm, this.machine, flags);
    const record: EngineUndoRecord | null = r.undo
      ? { kind: 'machine-profile', at: new Date().toISOString(), undo: r.undo }
      : null;
    return {
      changed: r.changed,
      record,
      detail: r.changed
        ? `${this.machine}: EXTRA_ARGS in ${PROFILE_PATH} now has --registry-mirror ${flags.mirror} --insecure-registry ${flags.insecureRegistry}`
        : `${this.machine}: ${PROFILE_PATH} already has both flags`,
    };
  }

  async revert(record: EngineUndoRecord): Promise<{ changed: boolean; detail: string }> {
    if (record.kind !== 'machine-profile')
      throw new Error(`${this.name} cannot undo a ${record.kind} record`);
    await this.requireRunning();
    return undoProfile(this.dm, record.undo);
  }

  async apply(): Promise<string> {
    await this.dm.restart(this.machine);
    // boot2docker starts dockerd after the VM: wait until it answers on its (maybe new) address.
    const timeout = this.opts.restartTimeoutMs ?? 120_000;
    const up = await waitFor(async () => (await this.engineMirrors()) !== null, timeout, this.deps, 1000);
    if (!up)
      throw configureError(
        'APPLY_FAILED',
        `machine ${this.machine}'s engine did not answer within ${timeout / 1000} s after the restart`,
      );
    return `docker-machine restart ${this.machine}`;
  }
}
