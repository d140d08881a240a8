// The seed's machine-create-registry.sh as one action: remove the old registry machine (only with the
// user's yes), create it with the engine flags that make it use its own mirror, and run the mirror in
// it through its TLS engine, published on the machine's address so other machines reach it.
import type { PullProgress } from '../../mirror/image.js';
import { Mirror } from '../../mirror/mirror.js';
import type { MirrorSettings, UpstreamCredentials } from '../../mirror/settings.js';
import type { MirrorStatus } from '../../mirror/status.js';
import { listsMirror, mirrorsOf } from '../engines/engine-info.js';
import { configureError } from '../errors.js';
import {
  assertMachineName,
  DEFAULT_REGISTRY_MACHINE,
  type CreateOptions,
  type DockerMachine,
} from './cli.js';
import { connectMachine } from './connection.js';
import { newMachineFlags } from './machine-engine.js';

/** Inside the VM, on boot2docker's persistent disk (it survives reboots; the rest is a RAM disk). */
export const MACHINE_DATA_DIR = '/var/lib/boot2docker/docker-registry-proxy-cache';

export interface RegistryMachineOptions {
  dm: DockerMachine;
  /** default registry-proxy-cache, like the seed */
  name?: string;
  driver: string;
  driverOptions?: CreateOptions['driverOptions'];
  /** port, upstream, image, … (the bind address and data directory are the machine's) */
  settings: MirrorSettings;
  credentials?: UpstreamCredentials | null;
  /** where the cache lives inside the VM */
  dataDir?: string;
  /** asked before an existing machine is removed; false stops everything */
  confirmRemove: (name: string) => Promise<boolean>;
  onStep?: (line: string) => void;
  onProgress?: (p: PullProgress) => void;
  healthTimeoutMs?: number;
}

export interface RegistryMachineResult {
  machine: string;
  ip: string;
  removed: boolean;
  /** what other machines list as registry mirror: http://IP:PORT */
  mirrorUrl: string;
  status: MirrorStatus;
  /** for `docker-machine create` of machines that should use it */
  newMachineFlags: string[];
  /** the registry machine's own engine lists its mirror (info().RegistryConfig.Mirrors) */
  engineUsesMirror: boolean;
}

export async function createRegistryMachine(o: RegistryMachineOptions): Promise<RegistryMachineResult> {
  const name = assertMachineName(o.name ?? DEFAULT_REGISTRY_MACHINE);
  const step = (line: string) => o.onStep?.(line);
  const { port } = o.settings;
  await o.dm.version(); // not installed: a clear error before anything happens
  let removed = false;
  if (await o.dm.exists(name)) {
    if (!(await o.confirmRemove(name))) {
      throw configureError(
        'NEEDS_CONFIRMATION',
        `machine "${name}" exists: removing it deletes the VM and everything in it; confirm to recreate it`,
        { machine: name },
      );
    }
    step(`removing machine ${name}`);
    await o.dm.rm(name);
    removed = true;
  }
  // The registry machine uses its own mirror; the published port answers on its loopback too.
  const create: CreateOptions = {
    driver: o.driver,
    ...(o.driverOptions ? { driverOptions: o.driverOptions } : {}),
    insecureRegistries: [`localhost:${port}`],
    registryMirrors: [`http://localhost:${port}`],
  };
  step(`creating machine ${name} (driver ${o.driver}); this takes a few minutes`);
  await o.dm.create(name, create);
  const conn = await connectMachine(o.dm, name);
  const ip = await o.dm.ip(name);
  step(`starting the mirror on ${conn.description}`);
  const mirror = new Mirror({
    docker: conn.docker,
    // 0.0.0.0: other machines reach it at the VM's address, which is why they need --insecure-registry.
    settings: { ...o.settings, bindAddress: '0.0.0.0', dataDir: o.dataDir ?? MACHINE_DATA_DIR },
    credentials: o.credentials ?? null,
    endpoint: conn.description,
    engineHost: ip,
    remoteStorage: true,
    ...(o.healthTimeoutMs ? { healthTimeoutMs: o.healthTimeoutMs } : {}),
  });
  const { status } = await mirror.up(o.onProgress);
  const mirrorUrl = `http://${ip.includes(':') ? `[${ip}]` : ip}:${port}`;
  const engineUsesMirror = listsMirror(await mirrorsOf(conn.docker), `http://localhost:${port}`);
  return {
    machine: name,
    ip,
    removed,
    mirrorUrl,
    status,
    newMachineFlags: newMachineFlags(mirrorUrl),
    engineUsesMirror,
  };
}

/** The registry machine's mirror URL as other machines use it, when the machine runs. */
export async function registryMachineUrl(
  dm: DockerMachine,
  name: string,
  port: number,
): Promise<string | undefined> {
  try {
    const ip = await dm.ip(assertMachineName(name));
    return `http://${ip.includes(':') ? `[${ip}]` : ip}:${port}`;
  } catch {
    return undefined;
  }
}
