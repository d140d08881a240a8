// The stand-in's state: machines as directories under $MACHINE_STORAGE_PATH, each with its record,
// certificates and boot2docker disk; booting applies the profile's registry flags to the engine.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const VERSION = 'docker-machine version 0.16.2, build bd45ab13';
export const NAME = /^[a-zA-Z0-9][a-zA-Z0-9\-.]*$/;

/** An error docker-machine reports on stderr, with its exit code. */
export class Fail extends Error {
  constructor(message, code = 1) {
    super(message);
    this.code = code;
  }
}

/** Set from MACHINE_STORAGE_PATH or the global -s flag before any command runs. */
export const where = { storage: process.env.MACHINE_STORAGE_PATH || join(homedir(), '.docker', 'machine') };
export const machinesDir = () => join(where.storage, 'machines');
export const machineDir = (name) => join(machinesDir(), name);
export const recordPath = (name) => join(machineDir(name), 'drpc-fake-machine.json');
export const rootOf = (name) => join(machineDir(name), 'root');
export const profilePath = (name) => join(rootOf(name), 'var', 'lib', 'boot2docker', 'profile');

export function engine() {
  const file = join(where.storage, 'drpc-fake-engine.json');
  if (!existsSync(file))
    throw new Fail(`Error with pre-create check: "the stand-in has no engine: write ${file}"`, 3);
  return JSON.parse(readFileSync(file, 'utf8'));
}

export const notExist = (name) =>
  new Fail(
    `Docker machine "${name}" does not exist. Use "docker-machine ls" to list machines. Use "docker-machine create" to add a new one.`,
  );

export function load(name) {
  if (!existsSync(recordPath(name))) throw notExist(name);
  return JSON.parse(readFileSync(recordPath(name), 'utf8'));
}
export const save = (m) => writeFileSync(recordPath(m.name), JSON.stringify(m, null, 2));
export const running = (m) => m.state === 'Running';
export const urlOf = (m) => (running(m) ? m.dockerHost : '');

/** docker-machine with no name uses the machine called "default" when there is one. */
export function target(args) {
  if (args.length) return args[0];
  if (existsSync(recordPath('default'))) return 'default';
  throw new Fail('Error: No machine name(s) specified and no "default" machine exists');
}

export function allMachines() {
  if (!existsSync(machinesDir())) return [];
  return readdirSync(machinesDir())
    .filter((n) => existsSync(recordPath(n)))
    .sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase(), undefined, { numeric: true }))
    .map(load);
}

/** boot2docker's profile, as libmachine/provision/boot2docker.go writes it. */
export function renderProfile(m) {
  const o = m.engineOptions;
  const lines = [
    ...o.labels.map((l) => `--label ${l}`),
    ...o.insecureRegistry.map((r) => `--insecure-registry ${r}`),
    ...o.registryMirror.map((r) => `--registry-mirror ${r}`),
    ...o.arbitraryFlags.map((f) => `--${f}`),
  ];
  return (
    `\nEXTRA_ARGS='\n${lines.map((l) => `${l}\n`).join('')}\n'\nCACERT=/var/lib/boot2docker/ca.pem\n` +
    `DOCKER_HOST='-H tcp://0.0.0.0:2376'\nDOCKER_STORAGE=${o.storageDriver}\nDOCKER_TLS=auto\n` +
    'SERVERKEY=/var/lib/boot2docker/server-key.pem\nSERVERCERT=/var/lib/boot2docker/server.pem\n\n\n'
  );
}

/** What boot2docker does at boot: source the profile, start dockerd with $EXTRA_ARGS (word-split). */
export function bootEngine(m) {
  const e = engine();
  if (!e.daemonJson || !e.pidfile) return;
  const file = profilePath(m.name);
  const words = existsSync(file)
    ? spawnSync('/bin/sh', ['-c', '. "$1"; printf "%s\\n" $EXTRA_ARGS', 'sh', file], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter(Boolean)
    : [];
  const values = (flag) =>
    words
      .flatMap((w, i) =>
        w === flag ? [words[i + 1]] : w.startsWith(`${flag}=`) ? [w.slice(flag.length + 1)] : [],
      )
      .filter(Boolean);
  // The shared engine takes the flags through its daemon.json (both keys written, so a reload applies them).
  const config = JSON.parse(readFileSync(e.daemonJson, 'utf8'));
  config['registry-mirrors'] = values('--registry-mirror');
  config['insecure-registries'] = values('--insecure-registry');
  writeFileSync(e.daemonJson, JSON.stringify(config, null, 2) + '\n');
  process.kill(Number(readFileSync(e.pidfile, 'utf8').trim()), 'SIGHUP');
}
