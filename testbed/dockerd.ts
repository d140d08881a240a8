// A private dockerd for tests: own socket, data-root, exec-root and pidfile; contained network.
import { spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import { EXTERNAL_HOST, NET, REFUSING_PROXY, paths } from './layout.js';
import { dockerodeOptions, endpointFromUrl } from '../app/docker/connection.js';
import { ensureTlsMaterial, tlsPort } from './tls.js';

export interface DaemonConfig {
  'registry-mirrors'?: string[];
  [key: string]: unknown;
}

export function baseDaemonConfig(): DaemonConfig {
  return {
    // Unknown names resolve nowhere: the gateway address has no DNS server, so lookups are refused at once.
    dns: [NET.bridgeGateway],
    'default-address-pools': [{ base: NET.pool, size: 24 }],
    'registry-mirrors': [],
  };
}

export function readPid(): number | undefined {
  try {
    const pid = Number(readFileSync(paths.pidfile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A killed dockerd whose parent is gone without reaping it (a test file's worker thread that
  // started it has ended) stays a zombie: signals still reach it, but it is dead.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): signals are all there is
  }
}

export function engine(): Docker {
  if (EXTERNAL_HOST) return new Docker(dockerodeOptions(endpointFromUrl(EXTERNAL_HOST)));
  return new Docker({ socketPath: paths.socket });
}

/** Why this cannot be done to the engine, or undefined when the suite owns it. */
export const NO_ENGINE_CONTROL = EXTERNAL_HOST
  ? `needs control of the engine, and DRPC_TEST_DOCKER_HOST=${EXTERNAL_HOST} is an engine the suite does not own`
  : undefined;

/** A last guard: nothing in the test bed reconfigures, restarts or kills an engine it does not own. */
function assertEngineControl(what: string): void {
  if (NO_ENGINE_CONTROL) throw new Error(`${what} ${NO_ENGINE_CONTROL}`);
}

/**
 * The mirror pulls go through on an engine the suite does not own: set by setMirrors there instead
 * of daemon.json, and used by helpers' pull() to address the mirror directly (127.0.0.1:PORT/repo).
 */
export let directMirror: string | undefined;

async function waitForPing(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      await engine().ping();
      return;
    } catch (err) {
      last = err;
      await sleep(100);
    }
  }
  throw new Error(
    `test bed dockerd did not answer within ${timeoutMs} ms: ${String(last)}; see ${paths.log}`,
  );
}

/** Starts the private dockerd unless it already runs; returns its pid. */
export async function startDockerd(): Promise<number> {
  assertEngineControl('starting dockerd');
  const running = readPid();
  if (isAlive(running)) {
    await waitForPing(60_000);
    return running!;
  }
  if (process.getuid?.() !== 0) {
    throw new Error('the test bed starts its own dockerd and needs root (or set DRPC_TEST_DOCKER_HOST)');
  }
  for (const bin of ['dockerd', 'containerd', 'runc', 'ip']) {
    if (!onPath(bin))
      throw new Error(`${bin} is missing: apt-get install docker.io (the .ci/run script does)`);
  }
  // A dockerd killed hard leaves its pidfiles behind and then refuses to start.
  rmSync(paths.pidfile, { force: true });
  rmSync(`${paths.execRoot}/containerd/containerd.pid`, { force: true });
  mkdirSync(paths.dir, { recursive: true });
  ensureBridge();
  if (!existsSync(paths.daemonJson)) writeDaemonConfig(baseDaemonConfig());
  // A second listener on loopback TCP with mutual TLS, like a docker-machine VM's engine on :2376.
  const tls = ensureTlsMaterial(paths.tls);
  const port = await tlsPort(paths.tlsPort);
  const log = openSync(paths.log, 'a');
  const child = spawn(
    'dockerd',
    [
      '--host',
      `unix://${paths.socket}`,
      '--data-root',
      paths.dataRoot,
      '--exec-root',
      paths.execRoot,
      '--pidfile',
      paths.pidfile,
      '--config-file',
      paths.daemonJson,
      '--iptables=false',
      '--ip6tables=false',
      '--bridge',
      NET.bridge,
      '--host',
      `tcp://127.0.0.1:${port}`,
      '--tlsverify',
      '--tlscacert',
      tls.ca,
      '--tlscert',
      tls.serverCert,
      '--tlskey',
      tls.serverKey,
    ],
    {
      detached: true,
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        HTTP_PROXY: REFUSING_PROXY,
        HTTPS_PROXY: REFUSING_PROXY,
        http_proxy: REFUSING_PROXY,
        https_proxy: REFUSING_PROXY,
        NO_PROXY: '127.0.0.1,localhost,::1',
        no_proxy: '127.0.0.1,localhost,::1',
      },
    },
  );
  child.unref();
  // Generous: at a load average of 15 a restart took more than 10 s to answer.
  await waitForPing(90_000);
  return child.pid!;
}

export function writeDaemonConfig(config: DaemonConfig): void {
  writeFileSync(paths.daemonJson, JSON.stringify(config, null, 2) + '\n');
}

export async function readDaemonConfig(): Promise<DaemonConfig> {
  return JSON.parse(await readFile(paths.daemonJson, 'utf8')) as DaemonConfig;
}

/** Points the engine at mirrors the way an admin would: edit daemon.json, SIGHUP, wait until info() shows it. */
export async function setMirrors(mirrors: string[]): Promise<void> {
  if (EXTERNAL_HOST) {
    // Never edit someone's daemon.json: pulls address the mirror by its host:port instead.
    directMirror = mirrors[0];
    return;
  }
  const config = await readDaemonConfig();
  config['registry-mirrors'] = mirrors;
  writeDaemonConfig(config);
  await reloadDockerd();
  const want = mirrors.map((m) => m.replace(/\/?$/, '/'));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const info = (await engine().info()) as { RegistryConfig?: { Mirrors?: string[] } };
    const have = info.RegistryConfig?.Mirrors ?? [];
    if (have.length === want.length && want.every((m) => have.includes(m))) return;
    await sleep(20);
  }
  throw new Error(`dockerd did not pick up registry-mirrors ${JSON.stringify(mirrors)}`);
}

/** dockerd's TLS endpoint and the client certificates for it (a DOCKER_CERT_PATH). */
export async function tlsEndpoint(): Promise<{ dockerHost: string; certDir: string; port: number }> {
  const port = await tlsPort(paths.tlsPort);
  return { dockerHost: `tcp://127.0.0.1:${port}`, certDir: paths.tls, port };
}

export async function reloadDockerd(): Promise<void> {
  assertEngineControl('reloading dockerd');
  const pid = readPid();
  if (!isAlive(pid)) throw new Error('test bed dockerd is not running');
  process.kill(pid!, 'SIGHUP');
}

/** SIGTERM by pid, wait for it to end, then unmount what it leaves behind. */
export async function stopDockerd(): Promise<void> {
  assertEngineControl('stopping dockerd');
  const pid = readPid();
  if (isAlive(pid)) {
    process.kill(pid!, 'SIGTERM');
    const deadline = Date.now() + 20_000;
    while (isAlive(pid) && Date.now() < deadline) await sleep(50);
    if (isAlive(pid)) process.kill(pid!, 'SIGKILL');
  }
  // containerd is dockerd's child and ends with it; shims of containers with no restart may linger.
  for (const p of childPidsOf(paths.execRoot)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  unmountUnder(paths.dir);
}

/** Processes whose command line names our exec-root (containerd shims), found through /proc, not by name. */
function childPidsOf(marker: string): number[] {
  const out: number[] = [];
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes(marker) && Number(entry) !== process.pid) out.push(Number(entry));
    } catch {
      /* raced with exit */
    }
  }
  return out;
}

function childrenOf(parent: number): number[] {
  return safeReaddir('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        // stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
        const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
      } catch {
        return false;
      }
    })
    .map(Number);
}

export function mountsUnder(dir: string): string[] {
  const lines = readFileSync('/proc/self/mounts', 'utf8').split('\n');
  return lines
    .map((l) => l.split(' ')[1] ?? '')
    .map((m) => m.replace(/\\040/g, ' '))
    .filter((m) => m === dir || m.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
}

function unmountUnder(dir: string): void {
  for (const m of mountsUnder(dir)) {
    spawnSyncQuiet('umount', ['-l', m]);
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
function spawnSyncQuiet(cmd: string, args: string[]): void {
  spawnSync(cmd, args, { stdio: 'ignore' });
}
export function onPath(bin: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, bin), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Our own bridge for dockerd's default network, so a real docker0 on the host is never touched. */
export function ensureBridge(): void {
  if (existsSync(`/sys/class/net/${NET.bridge}`)) return;
  const steps: string[][] = [
    ['link', 'add', NET.bridge, 'type', 'bridge'],
    ['addr', 'add', NET.bridgeCidr, 'dev', NET.bridge],
    ['link', 'set', NET.bridge, 'up'],
  ];
  for (const args of steps) {
    const r = spawnSync('ip', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr || r.error}`);
  }
}

export function removeBridge(): void {
  if (existsSync(`/sys/class/net/${NET.bridge}`)) spawnSyncQuiet('ip', ['link', 'delete', NET.bridge]);
}

export function removeTestbedDir(): void {
  if (mountsUnder(paths.dir).length > 0) throw new Error(`refusing to delete ${paths.dir}: still mounted`);
  rmSync(paths.dir, { recursive: true, force: true });
}

/** Stops and starts the engine the way a reboot or a Docker Desktop restart would (clean SIGTERM). */
export async function restartDockerd(): Promise<number> {
  assertEngineControl('restarting dockerd');
  await stopDockerd();
  return startDockerd();
}

/**
 * A crash: SIGKILL to dockerd and its direct children (containerd, docker-proxy), as an OOM kill of the
 * service would; container shims survive, as they do under systemd.
 */
export async function killDockerd(): Promise<void> {
  assertEngineControl('killing dockerd');
  const pid = readPid();
  if (!isAlive(pid)) return;
  const children = childrenOf(pid!);
  process.kill(pid!, 'SIGKILL');
  for (const c of children) {
    try {
      process.kill(c, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  const deadline = Date.now() + 30_000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(20);
}
