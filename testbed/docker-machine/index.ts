// Puts the stand-in docker-machine on PATH for a test: a storage directory of its own
// (MACHINE_STORAGE_PATH) and the engine its "VMs" are, the test bed's dockerd over TLS.
import { mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

export const STAND_IN_DIR = resolve(import.meta.dirname);

export interface FakeEngine {
  /** tcp://127.0.0.1:PORT: what `env` prints as DOCKER_HOST */
  dockerHost: string;
  /** ca.pem, cert.pem, key.pem: copied into each machine's directory, as docker-machine does */
  certDir: string;
  /** what `ip` prints */
  ip: string;
  /** when set, `create`, `start` and `restart` apply the machine's EXTRA_ARGS registry flags to this engine */
  daemonJson?: string;
  pidfile?: string;
  /** drivers that are "installed" (default virtualbox, xhyve, none) */
  drivers?: string[];
}

export function standInEnv(
  storage: string,
  engine: FakeEngine,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  mkdirSync(storage, { recursive: true });
  writeFileSync(join(storage, 'drpc-fake-engine.json'), JSON.stringify(engine, null, 2));
  return { ...base, PATH: `${STAND_IN_DIR}${delimiter}${base.PATH ?? ''}`, MACHINE_STORAGE_PATH: storage };
}

/** Where the stand-in keeps a machine's boot2docker disk (its /var/lib/boot2docker). */
export function machineRoot(storage: string, machine: string): string {
  return join(storage, 'machines', machine, 'root');
}
