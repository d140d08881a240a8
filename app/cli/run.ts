// The CLI's commands over the core. runCli is what the `drpc` binary calls; tests call it directly.
import Docker from 'dockerode';
import { join } from 'node:path';
import { describeEndpoint, dockerodeOptions, resolveEndpoint } from '../docker/connection.js';
import { Mirror } from '../mirror/mirror.js';
import type { MirrorSettings, UpstreamCredentials } from '../mirror/settings.js';
import type { MirrorStatus } from '../mirror/status.js';
import { verifyMirror } from '../mirror/verify.js';
import { jsonFileStore } from '../settings/json-file.js';
import { applyChange, loadMirrorSettings, saveMirrorSettings } from '../settings/mirror-settings-store.js';
import { defaultPaths } from '../settings/paths.js';
import { AppError, toAppError } from '../util/errors.js';
import { parseCli, USAGE, type CliArgs } from './args.js';
import { EXIT, exitForError, exitForState } from './exit-codes.js';

export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** resolves when the user interrupts (Ctrl-C) a following command */
  interrupted?: Promise<void>;
}

function credentialsFrom(env: NodeJS.ProcessEnv): UpstreamCredentials | null {
  const username = env.DRPC_UPSTREAM_USERNAME;
  const password = env.DRPC_UPSTREAM_PASSWORD;
  return username && password ? { username, password } : null;
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  let args: CliArgs | undefined;
  try {
    args = parseCli(argv);
    if (args.command === 'help') {
      io.out(USAGE);
      return EXIT.ok;
    }
    return await execute(args, io);
  } catch (err) {
    const e = toAppError(err);
    if (args?.json)
      io.out(JSON.stringify({ error: { code: e.code, message: e.message, ...(e.details ?? {}) } }));
    else io.err(`drpc: ${e.message}`);
    if (e.code === 'INVALID_INPUT' && !args) io.err('run "drpc help" for usage');
    return exitForError(e.code);
  }
}

async function execute(args: CliArgs, io: CliIO): Promise<number> {
  const store = jsonFileStore(join(defaultPaths(io.env).configDir, 'settings.json'));
  // A change is validated in full before anything is touched, and saved only when the command succeeds:
  // a port in use or a data directory we cannot write is refused without changing the settings.
  const current = await loadMirrorSettings(store, io.env);
  const settings = applyChange(current, args.change);
  const code = await command(args, io, settings);
  if (code === EXIT.ok && Object.keys(args.change).length) await saveMirrorSettings(store, settings);
  return code;
}

async function command(args: CliArgs, io: CliIO, settings: MirrorSettings): Promise<number> {
  const endpoint = await resolveEndpoint({ env: io.env });
  const docker = new Docker(dockerodeOptions(endpoint));
  const mirror = new Mirror({
    docker,
    settings,
    credentials: credentialsFrom(io.env),
    endpoint: describeEndpoint(endpoint),
    ...(endpoint.kind === 'tcp' ? { engineHost: endpoint.host } : {}),
  });
  const print = (human: string, data: unknown) => io.out(args.json ? JSON.stringify(data) : human);

  switch (args.command) {
    case 'up': {
      let lastStatus = '';
      const { action, status } = await mirror.up((p) => {
        if (!args.json && p.status !== lastStatus)
          io.err(`pulling ${settings.image}: ${(lastStatus = p.status)}`);
      });
      print(`${action}: ${statusLine(status)}`, { action, status });
      return status.state === 'running' || (!args.wait && status.state === 'starting')
        ? EXIT.ok
        : exitForState(status.state);
    }
    case 'down': {
      const stopped = await mirror.down();
      print(stopped ? 'stopped' : 'already stopped', { stopped });
      return EXIT.ok;
    }
    case 'restart': {
      const status = await mirror.restart();
      print(statusLine(status), { status });
      return exitForState(status.state);
    }
    case 'rm': {
      const removed = await mirror.remove();
      print(removed ? `removed (the cache in ${settings.dataDir} stays)` : 'no container to remove', {
        removed,
      });
      return EXIT.ok;
    }
    case 'status': {
      const status = await mirror.status();
      print(statusLine(status), status);
      return exitForState(status.state);
    }
    case 'verify': {
      const report = await verifyMirror(docker, mirror, {
        ...(args.image ? { image: args.image } : {}),
        onStep: (s) => {
          if (!args.json) io.out(`${s.ok ? 'ok  ' : 'FAIL'} ${s.title}: ${s.detail} (${s.ms} ms)`);
        },
      });
      if (args.json) io.out(JSON.stringify(report));
      else io.out(report.ok ? 'verified: the mirror caches pulls' : 'verification failed');
      return report.ok ? EXIT.ok : EXIT.notRunning;
    }
    case 'logs': {
      if (!args.follow) {
        io.out((await mirror.logs(args.tail)).replace(/\n$/, ''));
        return EXIT.ok;
      }
      const stop = await mirror.followLogs((line) => io.out(line), args.tail);
      await (io.interrupted ?? new Promise<void>(() => {}));
      stop();
      return EXIT.ok;
    }
    default:
      throw new AppError('INVALID_INPUT', `unknown command ${String(args.command)}`);
  }
}

export function statusLine(s: MirrorStatus): string {
  const parts = [`${s.state}: ${s.message}`];
  if (s.state === 'running') parts.push(`use ${s.mirrorUrl} as registry mirror`);
  if (s.container && !s.container.configCurrent)
    parts.push('settings changed since it was created: run up to apply');
  if (s.port?.suggestion) parts.push(`try --port ${s.port.suggestion}`);
  return parts.join('\n');
}
