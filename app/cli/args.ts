// Command-line parsing: commands, flags, and the settings a flag may change.
import { parseArgs } from 'node:util';
import { AppError } from '../util/errors.js';
import type { MirrorSettings } from '../mirror/settings.js';

export const COMMANDS = ['up', 'down', 'restart', 'rm', 'status', 'verify', 'logs', 'help'] as const;
export type Command = (typeof COMMANDS)[number];

export interface CliArgs {
  command: Command;
  json: boolean;
  change: Partial<MirrorSettings>;
  tail: number;
  follow: boolean;
  image?: string;
  wait: boolean;
}

export const USAGE = `usage: drpc <command> [options]

commands:
  up        create or update the mirror container, start it, wait until it serves
  down      stop the mirror (the container and the cache stay)
  restart   restart the mirror
  rm        remove the mirror container (the cache on disk stays)
  status    show the mirror's state
  verify    pull an image through the engine and check the mirror caches it
  logs      print the mirror's log (--follow to keep printing, --tail N)

options:
  --json              machine-readable output
  --port N            host port (saved in the settings)
  --bind ADDR         address the port is published on (default 127.0.0.1)
  --upstream URL      registry to mirror (default https://registry-1.docker.io)
  --image REF         registry image (default registry:2); for verify, the image to pull
  --data-dir DIR      where the mirror's config and cache live on this machine
  --name NAME         container name
  --network NAME      a Docker network the mirror joins ("" to leave)
  --no-wait           up: do not wait for the mirror to serve

upstream credentials come from DRPC_UPSTREAM_USERNAME and DRPC_UPSTREAM_PASSWORD, never from flags.

exit codes: 0 ok, 1 unexpected error, 2 bad input, 3 Docker unreachable, 4 registry image unavailable,
            5 port in use, 6 mirror not running or verification failed`;

export function parseCli(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        port: { type: 'string' },
        bind: { type: 'string' },
        upstream: { type: 'string' },
        image: { type: 'string' },
        'data-dir': { type: 'string' },
        name: { type: 'string' },
        network: { type: 'string' },
        tail: { type: 'string' },
        follow: { type: 'boolean', short: 'f', default: false },
        'no-wait': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new AppError('INVALID_INPUT', (err as Error).message);
  }
  const { values, positionals } = parsed;
  const name = values.help ? 'help' : (positionals[0] ?? 'status');
  if (!(COMMANDS as readonly string[]).includes(name))
    throw new AppError('INVALID_INPUT', `unknown command "${name}"`);
  if (positionals.length > 1) throw new AppError('INVALID_INPUT', `unexpected argument "${positionals[1]}"`);
  const command = name as Command;
  const change: Partial<MirrorSettings> = {};
  if (values.port !== undefined) {
    if (!/^\d+$/.test(values.port))
      throw new AppError('INVALID_INPUT', `port must be a number (got "${values.port}")`);
    change.port = Number(values.port);
  }
  if (values.bind !== undefined) change.bindAddress = values.bind;
  if (values.upstream !== undefined) change.upstreamUrl = values.upstream;
  if (values.image !== undefined && command !== 'verify') change.image = values.image;
  if (values['data-dir'] !== undefined) change.dataDir = values['data-dir'];
  if (values.name !== undefined) change.containerName = values.name;
  if (values.network !== undefined) change.network = values.network === '' ? null : values.network;
  let tail = 200;
  if (values.tail !== undefined) {
    if (!/^\d+$/.test(values.tail))
      throw new AppError('INVALID_INPUT', `--tail takes a number (got "${values.tail}")`);
    tail = Number(values.tail);
  }
  return {
    command,
    json: values.json ?? false,
    change,
    tail,
    follow: values.follow ?? false,
    ...(command === 'verify' && values.image ? { image: values.image } : {}),
    wait: !values['no-wait'],
  };
}
