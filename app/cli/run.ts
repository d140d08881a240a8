// runCli is what the `drpc` binary calls; tests call it directly with their own environment and output.
import Docker from 'dockerode';
import { join } from 'node:path';
import { describeEndpoint, dockerodeOptions, resolveEndpoint } from '../docker/connection.js';
import { Mirror } from '../mirror/mirror.js';
import { modeOf } from '../mirror/startup.js';
import { runWithOwner } from '../owner/cli-owner.js';
import type { MirrorSettings, UpstreamCredentials } from '../mirror/settings.js';
import type { MirrorMode } from '../mirror/registry-config.js';
import { jsonFileStore } from '../settings/json-file.js';
import { applyChange, loadMirrorSettings, saveMirrorSettings } from '../settings/mirror-settings-store.js';
import { defaultPaths } from '../settings/paths.js';
import { AppError, toAppError } from '../util/errors.js';
import type { CliCommand, CliContext, CliIO } from './command.js';
import { COMMANDS } from './commands/index.js';
import { EXIT, exitForError } from './exit-codes.js';
import { SETTINGS_FLAGS, settingsChange } from './global-options.js';
import { parseCommandLine, usage } from './parse.js';

export type { CliIO } from './command.js';

function credentialsFrom(env: NodeJS.ProcessEnv): UpstreamCredentials | null {
  const username = env.DRPC_UPSTREAM_USERNAME;
  const password = env.DRPC_UPSTREAM_PASSWORD;
  return username && password ? { username, password } : null;
}

/** A command that owns its settings flags changes no setting, and takes none it does not declare. */
function ownFlagsOnly(command: CliCommand, values: CliContext['values']): Partial<MirrorSettings> {
  const foreign = SETTINGS_FLAGS.find((f) => values[f] !== undefined && !(command.options ?? {})[f]);
  if (foreign)
    throw new AppError(
      'INVALID_INPUT',
      `drpc ${command.name} does not take --${foreign}; drpc ${command.name} --help lists its options`,
    );
  return {};
}

export async function runCli(argv: string[], io: CliIO, commands: CliCommand[] = COMMANDS): Promise<number> {
  const json = argv.includes('--json');
  try {
    const parsed = parseCommandLine(argv, commands);
    if (parsed.command === 'help') {
      io.out(usage(commands));
      return EXIT.ok;
    }
    const configDir = defaultPaths(io.env).configDir;
    const store = jsonFileStore(join(configDir, 'settings.json'));
    // A change is validated in full before anything is touched, and saved only when the command succeeds:
    // a port in use or a data directory we cannot write is refused without changing the settings.
    const change =
      parsed.command.settingsFlags === 'own'
        ? ownFlagsOnly(parsed.command, parsed.values)
        : settingsChange(parsed.values);
    const settings = applyChange(await loadMirrorSettings(store, io.env), change);
    const ctx = context(io, json, parsed.positionals, parsed.values, store, settings, configDir);
    // The owner (the app, watch, the background keeper) does it, or this runs holding the lock.
    const code = await runWithOwner(parsed.command, ctx, Object.keys(change).length > 0);
    if (code === EXIT.ok && Object.keys(change).length) await saveMirrorSettings(store, settings);
    return code;
  } catch (err) {
    const e = toAppError(err);
    if (json) io.out(JSON.stringify({ error: { code: e.code, message: e.message, ...(e.details ?? {}) } }));
    else io.err(`drpc: ${e.message}`);
    return exitForError(e.code);
  }
}

function context(
  io: CliIO,
  json: boolean,
  positionals: string[],
  values: CliContext['values'],
  store: CliContext['store'],
  settings: CliContext['settings'],
  configDir: string,
): CliContext {
  let engine: ReturnType<CliContext['engine']> | undefined;
  let resolved: Awaited<ReturnType<CliContext['engine']>> | undefined;
  const credentials = credentialsFrom(io.env);
  const make = (e: Awaited<ReturnType<CliContext['engine']>>, mode: MirrorMode = 'proxy') =>
    new Mirror({
      docker: e.docker,
      settings,
      credentials,
      endpoint: e.endpoint,
      mode,
      exposeCredentials: values['expose-credentials'] === true,
      ...(e.host ? { engineHost: e.host } : {}),
    });
  const ctx: CliContext = {
    io,
    json,
    positionals,
    values,
    store,
    configDir,
    settings,
    credentials,
    ...(typeof values['probe-url'] === 'string' || io.env.DRPC_PROBE_URL
      ? { probeUrl: typeof values['probe-url'] === 'string' ? values['probe-url'] : io.env.DRPC_PROBE_URL! }
      : {}),
    engine: () =>
      (engine ??= resolveEndpoint({ env: io.env })
        .then((ep) => ({
          docker: new Docker(dockerodeOptions(ep)),
          endpoint: describeEndpoint(ep),
          ...(ep.kind === 'tcp' ? { host: ep.host } : {}),
        }))
        .then((e) => (resolved = e))),
    async mirror(mode) {
      const e = await ctx.engine();
      // Stop, restart, prune and reset act on the container in the mode it runs (offline stays offline).
      return make(
        e,
        mode ??
          modeOf(
            await make(e)
              .inspect()
              .catch(() => undefined),
          ) ??
          'proxy',
      );
    },
    mirrorSync(mode) {
      if (!resolved) throw new Error('mirrorSync before engine()');
      return make(resolved, mode);
    },
    print: (human, data) => io.out(json ? JSON.stringify(data) : human),
  };
  return ctx;
}
