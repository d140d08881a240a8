// Is a host port free? Who holds it? (On macOS 12+ AirPlay Receiver listens on 5000 and 7000.)
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export interface PortCheck {
  free: boolean;
  /** a human name for the holder when known, e.g. "macOS AirPlay Receiver" */
  heldBy?: string;
  hint?: string;
}

export function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

export type ProcessLookup = (port: number) => Promise<string | undefined>;

/** The command name of the process listening on a TCP port (lsof exists on every Mac). */
export const lsofLookup: ProcessLookup = async (port) => {
  try {
    const { stdout } = await execFileP('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fc'], {
      timeout: 3000,
    });
    return /^c(.+)$/m.exec(stdout)?.[1];
  } catch {
    return undefined;
  }
};

export async function checkPort(
  port: number,
  host: string,
  opts: { platform?: NodeJS.Platform; lookup?: ProcessLookup } = {},
): Promise<PortCheck> {
  const platform = opts.platform ?? process.platform;
  // The engine publishes on the bind address. macOS lets a specific address share a port a wildcard
  // listener (AirPlay) holds, but Docker Desktop's forwarder then fails: check the wildcard there too.
  const free = (await canBind(port, host)) && (platform !== 'darwin' || (await canBind(port, '0.0.0.0')));
  if (free) return { free: true };
  const holder = await (opts.lookup ?? lsofLookup)(port);
  if (
    platform === 'darwin' &&
    (holder === 'ControlCenter' ||
      holder === 'AirPlayXPCHelper' ||
      (!holder && (port === 5000 || port === 7000)))
  ) {
    return {
      free: false,
      heldBy: 'macOS AirPlay Receiver',
      hint: 'turn off System Settings > General > AirDrop & Handoff > AirPlay Receiver, or use another port',
    };
  }
  return { free: false, ...(holder ? { heldBy: holder } : {}) };
}

/** The next port after `from` that can be bound, for the "use port N instead" offer. */
export async function nextFreePort(from: number, host: string, limit = 100): Promise<number | undefined> {
  for (let p = from + 1; p <= Math.min(65535, from + limit); p++) {
    if (await canBind(p, host)) return p;
  }
  return undefined;
}
