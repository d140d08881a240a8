// Options every command takes: --json, and the mirror settings a flag may change.
import { AppError } from '../util/errors.js';
import type { MirrorSettings } from '../mirror/settings.js';
import { isDockerHubHost } from '../registries/registries.js';
import type { OptionSpec, OptionValues } from './command.js';

export const GLOBAL_OPTIONS: OptionSpec = {
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  port: { type: 'string' },
  bind: { type: 'string' },
  upstream: { type: 'string' },
  'upstream-ca': { type: 'string' },
  image: { type: 'string' },
  'data-dir': { type: 'string' },
  name: { type: 'string' },
  network: { type: 'string' },
  'expose-credentials': { type: 'boolean', default: false },
  registry: { type: 'string' },
};

export const GLOBAL_HELP = [
  '--json              machine-readable output (one JSON value)',
  '--port N            host port of the mirror (default 5000)',
  '--bind ADDR         address the port is published on (default 127.0.0.1)',
  '--upstream URL      registry to mirror (default https://registry-1.docker.io)',
  '--upstream-ca FILE  PEM file with the CA of the upstream\'s certificate (a team mirror); "" for none',
  '--image REF         registry image (default registry:3; registry:2 also works)',
  '--data-dir DIR      where the mirror config and cache live on this machine',
  '--name NAME         container name',
  '--network NAME      a Docker network the mirror joins ("" to leave it)',
  '--expose-credentials  allow a non-loopback --bind while upstream credentials are set',
  '--registry HOST     act on the mirror of another registry (ghcr.io, quay.io...; see drpc registries)',
];

/** The registry a command acts on: undefined for Docker Hub (the main mirror). */
export function registryOption(values: OptionValues): string | undefined {
  const v = values.registry;
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '')
    throw new AppError('INVALID_INPUT', '--registry takes a registry host, like ghcr.io');
  const host = v.trim().toLowerCase();
  return isDockerHubHost(host) ? undefined : host;
}

/** The global flags that change the mirror's settings. */
export const SETTINGS_FLAGS = [
  'port',
  'bind',
  'upstream',
  'upstream-ca',
  'image',
  'data-dir',
  'name',
  'network',
] as const;

/** The settings change the flags ask for (validated later, all at once, against the saved settings). */
export function settingsChange(values: OptionValues): Partial<MirrorSettings> {
  const change: Partial<MirrorSettings> = {};
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const port = str('port');
  if (port !== undefined) {
    if (!/^\d+$/.test(port)) throw new AppError('INVALID_INPUT', `--port must be a number (got "${port}")`);
    change.port = Number(port);
  }
  if (str('bind') !== undefined) change.bindAddress = str('bind')!;
  if (str('upstream') !== undefined) change.upstreamUrl = str('upstream')!;
  const ca = str('upstream-ca');
  if (ca !== undefined) change.upstreamCaFile = ca === '' ? null : ca;
  if (str('image') !== undefined) change.image = str('image')!;
  if (str('data-dir') !== undefined) change.dataDir = str('data-dir')!;
  if (str('name') !== undefined) change.containerName = str('name')!;
  const network = str('network');
  if (network !== undefined) change.network = network === '' ? null : network;
  return change;
}

/** A whole number option, or the default. */
export function intOption(values: OptionValues, key: string, fallback: number): number {
  const v = values[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !/^\d+$/.test(v)) {
    throw new AppError('INVALID_INPUT', `--${key} takes a whole number (got "${String(v)}")`);
  }
  return Number(v);
}
