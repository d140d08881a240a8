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
import { SETTING_NAMES } from '../mirror/settings.js';
import {
  changeRegistry,
  findRegistry,
  registryHome,
  registryMirrorSettings,
} from '../registries/registries.js';
import { loadRegistries, registryStore } from '../registries/store.js';
import type { CliCommand, CliContext, CliIO } from './command.js';
import { COMMANDS } from './commands/index.js';
import { EXIT, exitForError } from './exit-codes.js';
import { registryOption, SETTINGS_FLAGS, settingsChange } from './global-options.js';
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
    const home = defaultPaths(io.env).configDir;
    const settingsFile = jsonFileStore(join(home, 'settings.json'));
    // A change is validated in full before anything is touched, and saved only when the command succeeds:
    // a port in use or a data directory we cannot write is refused without changing the settings.
    const change =
      parsed.command.settingsFlags === 'own'
        ? ownFlagsOnly(parsed.command, parsed.values)
        : settingsChange(parsed.values);
    const registry = registryOption(parsed.values);
    const target = registry
      ? await registryTarget(settingsFile, home, registry, change, io.env)
      : {
          store: settingsFile,
          configDir: home,
          settings: applyChange(await loadMirrorSettings(settingsFile, io.env), change),
          credentials: credentialsFrom(io.env),
        };
    const command = parsed.command;
    // up and down without --registry also open or stop every enabled registry's mirror, after Docker Hub's.
    const others =
      !registry && (command.name === 'up' || command.name === 'down')
        ? (await loadRegistries(settingsFile)).filter((e) => e.enabled)
        : [];
    const main = others.length && json ? capture(io) : undefined;
    const ctx = context(
      main?.io ?? io,
      json,
      parsed.positionals,
      parsed.values,
      target,
      settingsFile,
      registry,
    );
    // The owner (the app, watch, the background keeper) does it, or this runs holding the lock.
    let code = await runWithOwner(command, ctx, Object.keys(change).length > 0);
    if (code === EXIT.ok && Object.keys(change).length)
      await saveMirrorSettings(target.store, target.settings);
    if (others.length) {
      // Each as `drpc <command> --registry HOST` with the command's own switches (--offline, --no-keeper):
      // the main mirror's settings flags are not the registries'.
      const switches = Object.entries(command.options ?? {})
        .filter(([k, spec]) => spec.type === 'boolean' && parsed.values[k] === true)
        .map(([k]) => `--${k}`);
      const args = [command.name, ...switches, ...(json ? ['--json'] : [])];
      code = await eachRegistry(others, args, io, json, main, code, commands);
    }
    return code;
  } catch (err) {
    const e = toAppError(err);
    if (json) io.out(JSON.stringify({ error: { code: e.code, message: e.message, ...(e.details ?? {}) } }));
    else io.err(`drpc: ${e.message}`);
    return exitForError(e.code);
  }
}

interface Target {
  store: CliContext['store'];
  configDir: string;
  settings: CliContext['settings'];
  credentials: CliContext['credentials'];
}

/**
 * A command for one registry's mirror: its settings derived from the main mirror's, its own home (lock,
 * socket, keeper, pull records), no Docker Hub credentials; --port and --upstream change its entry, the
 * other settings are every mirror's and are refused here.
 */
async function registryTarget(
  settingsFile: CliContext['store'],
  home: string,
  host: string,
  change: Partial<CliContext['settings']>,
  env: NodeJS.ProcessEnv,
): Promise<Target> {
  const shared = (Object.keys(change) as Array<keyof CliContext['settings']>).filter(
    (k) => k !== 'port' && k !== 'upstreamUrl' && k !== 'upstreamCaFile',
  );
  if (shared.length)
    throw new AppError(
      'INVALID_INPUT',
      `${shared.map((k) => SETTING_NAMES[k].flag ?? k).join(', ')}: every mirror shares this setting; change it without --registry`,
    );
  const main = await loadMirrorSettings(settingsFile, env);
  const list = changeRegistry(await loadRegistries(settingsFile), main, host, {
    ...(change.port !== undefined ? { port: change.port } : {}),
    ...(change.upstreamUrl !== undefined ? { upstreamUrl: change.upstreamUrl } : {}),
    ...(change.upstreamCaFile !== undefined ? { upstreamCaFile: change.upstreamCaFile } : {}),
  });
  return {
    store: registryStore(settingsFile, host, () => loadMirrorSettings(settingsFile, env)),
    configDir: registryHome(home, host),
    settings: applyChange(registryMirrorSettings(main, findRegistry(list, host)!), {}),
    credentials: null,
  };
}

/** Output collected instead of printed (the main mirror's JSON, to print once with the registries'). */
function capture(io: CliIO): { io: CliIO; out: string[] } {
  const out: string[] = [];
  return { io: { ...io, out: (t) => out.push(t) }, out };
}

/**
 * up or down for each enabled registry after the main mirror, each as `drpc <command> --registry HOST`
 * with the same options; said per registry, or one JSON value holding them all. The first failure's
 * exit code wins.
 */
async function eachRegistry(
  entries: readonly { host: string }[],
  args: string[],
  io: CliIO,
  json: boolean,
  main: { out: string[] } | undefined,
  mainCode: number,
  commands: CliCommand[],
): Promise<number> {
  let code = mainCode;
  const results: Array<{ registry: string; exitCode: number; result: unknown }> = [];
  for (const e of entries) {
    const sub = capture(io);
    const errs: string[] = [];
    const c = await runCli(
      [...args, '--registry', e.host],
      { ...sub.io, err: (t) => errs.push(t) },
      commands,
    );
    if (code === EXIT.ok && c !== EXIT.ok) code = c;
    if (json) {
      const text = sub.out.join('\n');
      results.push({ registry: e.host, exitCode: c, result: text ? (JSON.parse(text) as unknown) : null });
    } else {
      for (const line of [...sub.out, ...errs].join('\n').split('\n'))
        if (line) (c === EXIT.ok ? io.out : io.err)(`${e.host}: ${line}`);
    }
  }
  if (json) {
    const text = main?.out.join('\n') ?? '';
    const first = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    io.out(JSON.stringify({ ...first, registries: results }));
  }
  return code;
}

function context(
  io: CliIO,
  json: boolean,
  positionals: string[],
  values: CliContext['values'],
  target: Target,
  settingsFile: CliContext['store'],
  registry: string | undefined,
): CliContext {
  let engine: ReturnType<CliContext['engine']> | undefined;
  let resolved: Awaited<ReturnType<CliContext['engine']>> | undefined;
  const { store, settings, configDir, credentials } = target;
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
    settingsFile,
    ...(registry ? { registry } : {}),
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
