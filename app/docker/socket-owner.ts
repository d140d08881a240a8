// Which local process serves a Docker endpoint, read from /proc (Linux): the dockerd behind a unix
// socket or a loopback tcp port, with the daemon.json and pidfile its command line names. This is what
// the docker CLI cannot tell (it only talks to the socket) and what configuring the engine needs.
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { EngineEndpoint } from './connection.js';

export const DOCKERD_DEFAULTS = { configFile: '/etc/docker/daemon.json', pidFile: '/var/run/docker.pid' };

export interface LocalDockerd {
  pid: number;
  /** --config-file, or dockerd's default */
  configFile: string;
  /** --pidfile, or dockerd's default */
  pidFile: string;
}

/** The socket inode listening on a unix path (flag __SO_ACCEPTCON in /proc/net/unix). */
async function unixInode(socketPath: string, proc: string): Promise<string | undefined> {
  const text = await readFile(join(proc, 'net', 'unix'), 'utf8');
  for (const line of text.split('\n').slice(1)) {
    // Num RefCount Protocol Flags Type St Inode Path
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || f.slice(7).join(' ') !== socketPath) continue;
    if ((parseInt(f[3]!, 16) & 0x10000) !== 0) return f[6];
  }
  return undefined;
}

const LOOPBACK_HEX = new Set(['0100007F', '00000000', '00000000000000000000000001000000', '0'.repeat(32)]);

/** The socket inode listening on a loopback (or any-address) tcp port, from /proc/net/tcp and tcp6. */
async function tcpInode(port: number, proc: string): Promise<string | undefined> {
  for (const file of ['tcp', 'tcp6']) {
    const text = await readFile(join(proc, 'net', file), 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A') continue;
      const [addr, hexPort] = f[1]!.split(':');
      if (parseInt(hexPort!, 16) === port && LOOPBACK_HEX.has(addr!)) return f[9];
    }
  }
  return undefined;
}

/** The processes holding a socket inode open. */
async function holders(inode: string, proc: string): Promise<number[]> {
  const target = `socket:[${inode}]`;
  const pids: number[] = [];
  for (const entry of await readdir(proc)) {
    if (!/^\d+$/.test(entry)) continue;
    const fds = await readdir(join(proc, entry, 'fd')).catch(() => [] as string[]);
    for (const fd of fds) {
      if ((await readlink(join(proc, entry, 'fd', fd)).catch(() => '')) === target) {
        pids.push(Number(entry));
        break;
      }
    }
  }
  return pids;
}

/** A flag's value in an argv: `--name value` or `--name=value` (the last one wins, as in dockerd). */
function flagValue(argv: string[], names: string[]): string | undefined {
  let value: string | undefined;
  argv.forEach((arg, i) => {
    for (const n of names) {
      if (arg === n && i + 1 < argv.length) value = argv[i + 1];
      else if (arg.startsWith(`${n}=`)) value = arg.slice(n.length + 1);
    }
  });
  return value;
}

/** dockerd's files as its command line sets them. */
export function dockerdFiles(argv: string[]): Omit<LocalDockerd, 'pid'> {
  return {
    configFile: flagValue(argv, ['--config-file']) ?? DOCKERD_DEFAULTS.configFile,
    pidFile: flagValue(argv, ['--pidfile', '-p']) ?? DOCKERD_DEFAULTS.pidFile,
  };
}

/**
 * The dockerd on this machine that serves `ep`, or undefined: not Linux, not a local endpoint, nobody
 * listening, or the listener is not a dockerd (a socket proxy, rootlesskit).
 */
export async function localDockerd(ep: EngineEndpoint, proc = '/proc'): Promise<LocalDockerd | undefined> {
  try {
    let inode: string | undefined;
    if (ep.kind === 'unix') inode = await unixInode(ep.socketPath, proc);
    else if (['127.0.0.1', 'localhost', '::1'].includes(ep.host)) inode = await tcpInode(ep.port, proc);
    if (!inode) return undefined;
    for (const pid of await holders(inode, proc)) {
      const argv = (await readFile(join(proc, String(pid), 'cmdline'), 'utf8')).split('\0').filter(Boolean);
      const exe = argv[0]?.split('/').at(-1);
      if (exe === 'dockerd') return { pid, ...dockerdFiles(argv.slice(1)) };
    }
    return undefined;
  } catch {
    return undefined; // no /proc (macOS), or not allowed to read it
  }
}
