// Finds the Docker engine the way the docker CLI does, and turns it into dockerode options.
import { existsSync } from 'node:fs';
import { Agent } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DockerOptions } from 'dockerode';
import {
  EngineConfigError,
  contextTls,
  currentContextName,
  dockerConfigDir,
  readContext,
  readTlsDir,
  type TlsMaterial,
} from './context.js';

export { EngineConfigError, type TlsMaterial } from './context.js';

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  platform?: NodeJS.Platform;
  exists?: (path: string) => boolean;
}

export type EndpointSource =
  | { from: 'DOCKER_HOST' }
  | { from: 'context'; name: string; file: string }
  | { from: 'default'; probed?: string[] };

export type EngineEndpoint =
  | { kind: 'unix'; socketPath: string; source: EndpointSource; description: string }
  | {
      kind: 'tcp';
      host: string;
      port: number;
      protocol: 'http' | 'https';
      tls?: TlsMaterial;
      source: EndpointSource;
      description: string;
    };

export type ParsedDockerHost =
  { scheme: 'unix'; socketPath: string } | { scheme: 'tcp'; host: string; port?: number };

export const DEFAULT_SOCKET = '/var/run/docker.sock';

/** Where macOS engines put their socket when /var/run/docker.sock is absent, in the order tried. */
export const DARWIN_SOCKETS: readonly { product: string; path: string }[] = [
  { product: 'Docker Desktop', path: '.docker/run/docker.sock' },
  { product: 'Colima', path: '.colima/default/docker.sock' },
  { product: 'OrbStack', path: '.orbstack/run/docker.sock' },
];

const isOn = (value: string | undefined) => !!value && value !== '0';

/** Parses a DOCKER_HOST-style value; ssh, npipe and other schemes are refused with the reason. */
export function parseDockerHost(value: string): ParsedDockerHost {
  const trimmed = value.trim();
  if (!trimmed) throw new EngineConfigError('Docker host is empty');
  const sep = trimmed.indexOf('://');
  // Like the CLI, a bare "host:port" means tcp.
  const scheme = sep < 0 ? 'tcp' : trimmed.slice(0, sep).toLowerCase();
  const rest = sep < 0 ? trimmed : trimmed.slice(sep + 3);
  switch (scheme) {
    case 'unix':
      return { scheme: 'unix', socketPath: rest || DEFAULT_SOCKET };
    case 'tcp':
      return parseTcp(trimmed, rest);
    case 'ssh':
      throw new EngineConfigError(
        `Docker host ${trimmed} uses ssh://, which is not supported: forward the remote socket ` +
          `(ssh -L /tmp/docker.sock:/var/run/docker.sock host) and use unix:// instead`,
      );
    case 'npipe':
      throw new EngineConfigError(`Docker host ${trimmed} is a Windows named pipe (npipe://): not supported`);
    default:
      throw new EngineConfigError(
        `Docker host ${trimmed} has unsupported scheme "${scheme}://" (expected unix:// or tcp://)`,
      );
  }
}

function parseTcp(original: string, rest: string): ParsedDockerHost {
  let url: URL;
  try {
    // The CLI fills in localhost for "tcp://:2375".
    url = new URL(`tcp://${rest.startsWith(':') ? `localhost${rest}` : rest}`);
  } catch {
    throw new EngineConfigError(`Docker host ${original} is not a valid tcp://host:port address`);
  }
  if (url.pathname && url.pathname !== '/') {
    throw new EngineConfigError(`Docker host ${original}: a base path (${url.pathname}) is not supported`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost';
  return url.port ? { scheme: 'tcp', host, port: Number(url.port) } : { scheme: 'tcp', host };
}

/** A unix or tcp endpoint from a DOCKER_HOST-style URL; tcp is https exactly when tls is given. */
export function endpointFromUrl(
  url: string,
  tls?: TlsMaterial,
  source: EndpointSource = { from: 'DOCKER_HOST' },
): EngineEndpoint {
  const parsed = parseDockerHost(url);
  if (parsed.scheme === 'unix')
    return withDescription({ kind: 'unix', socketPath: parsed.socketPath, source });
  const port = parsed.port ?? (tls ? 2376 : 2375);
  const protocol = tls ? 'https' : 'http';
  return withDescription({ kind: 'tcp', host: parsed.host, port, protocol, ...(tls && { tls }), source });
}

type Undescribed<E> = E extends unknown ? Omit<E, 'description'> : never;

function withDescription(ep: Undescribed<EngineEndpoint>): EngineEndpoint {
  const full = { ...ep, description: '' } as EngineEndpoint;
  full.description = describeEndpoint(full);
  return full;
}

export async function resolveEndpoint(opts: ResolveOptions = {}): Promise<EngineEndpoint> {
  const env = opts.env ?? process.env;
  // Like the docker CLI on Unix: $HOME first (tests and sudo -E give another home than the passwd entry).
  const home = opts.homeDir ?? env.HOME ?? homedir();
  const configDir = dockerConfigDir(env, home);

  if (env.DOCKER_HOST) return fromDockerHost(env.DOCKER_HOST, env, configDir);

  const name = await currentContextName(env, configDir);
  if (name !== undefined) {
    const ctx = await readContext(configDir, name);
    const source: EndpointSource = { from: 'context', name, file: ctx.file };
    try {
      const isTcp = parseDockerHost(ctx.host).scheme === 'tcp';
      return endpointFromUrl(ctx.host, isTcp ? await contextTls(ctx) : undefined, source);
    } catch (err) {
      if (!(err instanceof EngineConfigError)) throw err;
      throw new EngineConfigError(
        `Docker context "${name}" (${ctx.file}): ${err.message}`,
        err.file ?? ctx.file,
      );
    }
  }

  if ((opts.platform ?? process.platform) !== 'darwin') {
    return withDescription({ kind: 'unix', socketPath: DEFAULT_SOCKET, source: { from: 'default' } });
  }
  const exists = opts.exists ?? existsSync;
  const probed: string[] = [];
  for (const path of [DEFAULT_SOCKET, ...DARWIN_SOCKETS.map((s) => join(home, s.path))]) {
    probed.push(path);
    if (exists(path))
      return withDescription({ kind: 'unix', socketPath: path, source: { from: 'default', probed } });
  }
  // Nothing is running: keep the standard socket, so the connection error names it.
  return withDescription({ kind: 'unix', socketPath: DEFAULT_SOCKET, source: { from: 'default', probed } });
}

async function fromDockerHost(
  value: string,
  env: NodeJS.ProcessEnv,
  configDir: string,
): Promise<EngineEndpoint> {
  const verify = isOn(env.DOCKER_TLS_VERIFY);
  const useTls = verify || isOn(env.DOCKER_TLS);
  if (!useTls || parseDockerHost(value).scheme !== 'tcp') return endpointFromUrl(value);
  const certDir = env.DOCKER_CERT_PATH || configDir;
  return endpointFromUrl(value, await readTlsDir(certDir, { verify, requireCa: verify }));
}

export function dockerodeOptions(ep: EngineEndpoint): DockerOptions {
  // docker-modem merges its own reading of process.env (DOCKER_HOST, DOCKER_CERT_PATH) under these
  // options, so every connection field is set explicitly, undefined included, to keep ours authoritative.
  if (ep.kind === 'unix') {
    return { socketPath: ep.socketPath, host: undefined, port: undefined, protocol: 'http', ...noTls };
  }
  const opts: DockerOptions & { agent?: Agent } = {
    socketPath: undefined,
    host: ep.host,
    port: ep.port,
    protocol: ep.protocol,
    ...noTls,
  };
  if (ep.tls) {
    opts.ca = ep.tls.ca;
    opts.cert = ep.tls.cert;
    opts.key = ep.tls.key;
    // docker-modem has no rejectUnauthorized option; an agent carries it.
    if (!ep.tls.verify) opts.agent = new Agent({ rejectUnauthorized: false });
  }
  return opts;
}

const noTls = { ca: undefined, cert: undefined, key: undefined };

export function describeEndpoint(ep: EngineEndpoint): string {
  const url =
    ep.kind === 'unix'
      ? `unix://${ep.socketPath}`
      : `tcp://${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}`;
  const notes: string[] = [];
  const src = ep.source;
  if (src.from === 'DOCKER_HOST') notes.push('DOCKER_HOST');
  else if (src.from === 'context') notes.push(`context ${src.name}`);
  else if (!src.probed) notes.push('default');
  else if (ep.kind === 'unix' && src.probed.at(-1) === ep.socketPath) {
    // The last probed path is the one that existed.
    const product = DARWIN_SOCKETS.find((s) => ep.socketPath.endsWith(`/${s.path}`));
    notes.push(product ? `${product.product}; ${DEFAULT_SOCKET} not found` : 'default');
  } else notes.push(`default; no engine socket found at ${src.probed.join(', ')}`);
  if (ep.kind === 'tcp') {
    if (ep.tls) notes.push(ep.tls.verify ? 'TLS' : 'TLS without verification');
    else if (ep.protocol === 'https') notes.push('TLS');
  }
  return `${url} (${notes.join('; ')})`;
}
