// Which Docker engines are on this machine, and which mirror URL each of them should use: loopback
// for the engines on this host (the mirror runs on them), the registry machine's address for
// docker-machine VMs (and loopback for the registry machine itself, which runs the mirror).
import Docker from 'dockerode';
import { dockerodeOptions, resolveEndpoint, type EngineEndpoint } from '../../docker/connection.js';
import { DOCKERD_DEFAULTS, localDockerd } from '../../docker/socket-owner.js';
import { messageOf } from '../../util/errors.js';
import { configureError, reasonOf } from '../errors.js';
import type { EngineUndoStore } from '../undo-store.js';
import { DEFAULT_REGISTRY_MACHINE, type DockerMachine } from '../machine/cli.js';
import { MachineEngine } from '../machine/machine-engine.js';
import { registryMachineUrl } from '../machine/registry-machine.js';
import { Colima, colimaProfiles } from './colima.js';
import { DockerDesktop } from './docker-desktop.js';
import { LinuxDockerd, type LinuxDockerdOptions } from './linux-dockerd.js';
import { OrbStack } from './orbstack.js';
import type { AdapterDeps, Detection, EngineAdapter } from './types.js';

export interface DetectOptions extends AdapterDeps {
  /** the URL engines on this host use: the mirror's own (http://localhost:PORT) */
  mirrorUrl: string;
  /** the mirror's port, for the registry machine's http://IP:PORT */
  port: number;
  /** where linux-dockerd's file, pid and engine are (defaults: /etc/docker/daemon.json, …) */
  linux?: LinuxDockerdOptions;
  /** docker-machine, or null to leave machines out */
  dockerMachine?: DockerMachine | null;
  registryMachine?: string;
  /** the mirror URL machines use, instead of asking for the registry machine's address */
  machineMirrorUrl?: string;
  /** undo records: an engine not found now but changed by configure is listed as its record names it */
  undo?: Pick<EngineUndoStore, 'records'>;
}

export interface FoundEngine {
  adapter: EngineAdapter;
  detection: Detection;
  /** undefined: no mirror this engine could use yet (no registry machine for a docker-machine VM) */
  mirrorUrl: string | undefined;
}

function deps(o: DetectOptions): AdapterDeps {
  const { runner, sleep, now, home, env, platform, exists, probeAt } = o;
  return Object.fromEntries(
    Object.entries({ runner, sleep, now, home, env, platform, exists, probeAt }).filter(
      ([, v]) => v !== undefined,
    ),
  );
}

function describeSource(ep: EngineEndpoint): string {
  const src = ep.source;
  if (src.from === 'DOCKER_HOST') return 'DOCKER_HOST';
  if (src.from === 'context') return `docker context ${src.name}`;
  return 'the default socket';
}

/**
 * The Linux dockerd the docker CLI would talk to (DOCKER_HOST, then the current docker context, then
 * the default socket), found through /proc: the process serving that endpoint, and the daemon.json and
 * pidfile on its command line. Options given (--daemon-json, --pid) win over what is found.
 */
export async function linuxDockerdOptions(o: DetectOptions): Promise<LinuxDockerdOptions> {
  const given = o.linux ?? {};
  const platform = o.platform ?? process.platform;
  if (platform !== 'linux' || (given.configFile !== undefined && given.pid !== undefined)) return given;
  let ep: EngineEndpoint;
  try {
    ep = await resolveEndpoint({
      env: o.env ?? process.env,
      ...(o.home ? { homeDir: o.home } : {}),
      platform,
    });
  } catch {
    return given; // a DOCKER_HOST or context we cannot use: `status` says why
  }
  const found = await localDockerd(ep);
  if (!found) return given;
  const url = ep.kind === 'unix' ? `unix://${ep.socketPath}` : `tcp://${ep.host}:${ep.port}`;
  // The system's own dockerd keeps its usual reload (systemd, or the default pidfile).
  const system =
    found.configFile === DOCKERD_DEFAULTS.configFile && found.pidFile === DOCKERD_DEFAULTS.pidFile;
  return {
    configFile: found.configFile,
    pidFile: found.pidFile,
    ...(system ? {} : { pid: found.pid }),
    foundBy: `dockerd pid ${found.pid} serving ${url} (${describeSource(ep)})`,
    ...(ep.kind === 'unix' ? { host: url } : {}),
    probe: new Docker({ ...dockerodeOptions(ep), timeout: 10_000 }),
    ...given,
  };
}

async function hostEngines(o: DetectOptions): Promise<EngineAdapter[]> {
  const d = deps(o);
  return [
    new DockerDesktop(d),
    new LinuxDockerd({ ...d, ...(await linuxDockerdOptions(o)) }),
    new OrbStack(d),
    ...colimaProfiles(d).map((p) => new Colima(p, d)),
  ];
}

async function machineUrlFor(
  o: DetectOptions,
  dm: DockerMachine,
  machine: string,
): Promise<string | undefined> {
  const registry = o.registryMachine ?? DEFAULT_REGISTRY_MACHINE;
  if (machine === registry) return `http://localhost:${o.port}`;
  return o.machineMirrorUrl ?? registryMachineUrl(dm, registry, o.port);
}

/** Every engine we know of, each with how it was (or was not) found. */
export async function findEngines(o: DetectOptions): Promise<{ engines: FoundEngine[]; notes: string[] }> {
  const engines: FoundEngine[] = [];
  const notes: string[] = [];
  for (const found of await hostEngines(o)) {
    let adapter = found;
    let detection = await adapter.detect();
    // Not found now (another DOCKER_HOST, or none), but configure changed it: the engine its undo
    // record names is still there and still uses the mirror.
    const newest = !detection.detected ? (await o.undo?.records(adapter.name))?.at(-1) : undefined;
    const recorded = newest && adapter.forRecord?.(newest);
    if (recorded) {
      const d = await recorded.detect();
      if (d.detected) [adapter, detection] = [recorded, d];
    }
    engines.push({ adapter, detection, mirrorUrl: o.mirrorUrl });
  }
  const dm = o.dockerMachine;
  if (dm) {
    try {
      const machines = await dm.ls();
      let registryUrl: string | undefined;
      for (const m of machines) {
        const adapter = new MachineEngine(m.name, dm, deps(o));
        const mirrorUrl =
          m.name === (o.registryMachine ?? DEFAULT_REGISTRY_MACHINE)
            ? `http://localhost:${o.port}`
            : (registryUrl ??= await machineUrlFor(o, dm, m.name));
        const how = `docker-machine ls: ${m.name} (${m.driver}) is ${m.state || 'in an unknown state'}${m.error ? `: ${m.error}` : ''}`;
        engines.push({ adapter, detection: { detected: true, how }, mirrorUrl });
      }
    } catch (err) {
      notes.push(
        reasonOf(err) === 'NOT_INSTALLED'
          ? 'docker-machine is not installed: no machines'
          : `docker-machine ls failed: ${messageOf(err)}`,
      );
    }
  }
  return { engines, notes };
}

/** The engines that are here (detected), each with the mirror URL it should use. */
export async function detectEngines(o: DetectOptions): Promise<FoundEngine[]> {
  return (await findEngines(o)).engines.filter((e) => e.detection.detected);
}

/** The adapter for a name `configure --engine` was given, and the mirror URL it should use. */
export async function engineByName(
  name: string,
  o: DetectOptions,
): Promise<{ adapter: EngineAdapter; mirrorUrl: string | undefined }> {
  const d = deps(o);
  if (name === 'docker-desktop') return { adapter: new DockerDesktop(d), mirrorUrl: o.mirrorUrl };
  if (name === 'linux-dockerd')
    return { adapter: new LinuxDockerd({ ...d, ...(await linuxDockerdOptions(o)) }), mirrorUrl: o.mirrorUrl };
  if (name === 'orbstack') return { adapter: new OrbStack(d), mirrorUrl: o.mirrorUrl };
  if (name === 'colima' || name.startsWith('colima:')) {
    return {
      adapter: new Colima(name === 'colima' ? 'default' : name.slice('colima:'.length), d),
      mirrorUrl: o.mirrorUrl,
    };
  }
  if (name.startsWith('machine:')) {
    const dm = o.dockerMachine;
    if (!dm) throw configureError('NOT_INSTALLED', 'docker-machine support is off');
    const machine = name.slice('machine:'.length);
    const adapter = new MachineEngine(machine, dm, d);
    return { adapter, mirrorUrl: await machineUrlFor(o, dm, machine) };
  }
  throw configureError(
    'UNKNOWN_ENGINE',
    `unknown engine "${name}": use docker-desktop, linux-dockerd, orbstack, colima[:PROFILE] or machine:NAME (drpc engines lists them)`,
    { engine: name },
  );
}
