// drpc engines | configure: the Docker engines on this machine, and pointing them at the mirror.
import { configureError } from '../../configure/errors.js';
import {
  configureEngine,
  engineReport,
  HUB_ONLY_NOTE,
  undoEngine,
  type EngineReport,
} from '../../configure/engines/configure-engine.js';
import { engineByName, findEngines, type DetectOptions } from '../../configure/engines/detect.js';
import { DockerMachine } from '../../configure/machine/cli.js';
import { processRunner, type Runner } from '../../configure/runner.js';
import { EngineUndoStore } from '../../configure/undo-store.js';
import type { CliCommand, CliContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { intOption } from '../global-options.js';
import { machineCommands } from './machine.js';

const str = (ctx: CliContext, key: string) =>
  typeof ctx.values[key] === 'string' ? (ctx.values[key] as string) : undefined;

/** Everything the engine adapters need, from the command line and the environment. */
export async function detectOptions(ctx: CliContext): Promise<DetectOptions> {
  const env = ctx.io.env;
  const runner: Runner = (file, args, opts) => processRunner(file, args, { env, ...opts });
  // An engine that cannot be resolved still has a list of engines to show: the default address then.
  const mirrorUrl =
    str(ctx, 'mirror-url') ??
    (await ctx.mirror().then(
      (m) => m.mirrorUrl,
      () => `http://localhost:${ctx.settings.port}`,
    ));
  const pid = str(ctx, 'pid');
  if (pid !== undefined && !/^\d+$/.test(pid))
    throw configureError('BAD_NAME', `--pid takes a process id (got "${pid}")`);
  const probe = await ctx.engine().then(
    (e) => e.docker,
    () => undefined,
  );
  const daemonJson = str(ctx, 'daemon-json');
  const registryMachine = str(ctx, 'registry-machine');
  const machineMirrorUrl = str(ctx, 'machine-mirror-url');
  return {
    mirrorUrl,
    port: ctx.settings.port,
    runner,
    env,
    ...(env.HOME ? { home: env.HOME } : {}),
    linux: {
      ...(daemonJson ? { configFile: daemonJson } : {}),
      ...(pid ? { pid: Number(pid) } : {}),
      ...(probe ? { probe } : {}),
    },
    dockerMachine: new DockerMachine({ env, runner }),
    undo: new EngineUndoStore(ctx.store),
    ...(registryMachine ? { registryMachine } : {}),
    ...(machineMirrorUrl ? { machineMirrorUrl } : {}),
  };
}

function reportLines(r: EngineReport): string[] {
  if (!r.detected) return [`${r.name}: not found (${r.how})`];
  const state = r.state === 'using-mirror' ? 'using-mirror (verified through the engine)' : r.state;
  return [
    `${r.name}: ${state}`,
    `  found: ${r.how}`,
    `  config: ${r.configFile}`,
    ...(r.mirrorUrl ? [`  mirror: ${r.mirrorUrl}`] : []),
    `  engine mirrors: ${r.engineMirrors === null ? 'no answer' : JSON.stringify(r.engineMirrors)}`,
    ...(r.state !== 'using-mirror' && r.plan.length ? [`  configure would: ${r.plan.join('; ')}`] : []),
    ...(r.undoRecords
      ? [`  undo: ${r.undoRecords} change(s) recorded (configure --engine ${r.name} --undo)`]
      : []),
    ...(r.note ? [`  note: ${r.note}`] : []),
  ];
}

const ENGINE_OPTIONS = {
  'daemon-json': { type: 'string' },
  pid: { type: 'string' },
  'mirror-url': { type: 'string' },
  'machine-mirror-url': { type: 'string' },
  'registry-machine': { type: 'string' },
} as const;

const ENGINE_HELP = [
  '--daemon-json FILE  linux-dockerd: the daemon.json to edit (default /etc/docker/daemon.json)',
  '--pid N             linux-dockerd: the dockerd to reload (default systemd or /var/run/docker.pid)',
  '--mirror-url URL    the mirror engines on this host use (default http://localhost:PORT)',
  '--registry-machine NAME  the docker-machine VM that runs the mirror (default registry-proxy-cache)',
];

const configureCommands: CliCommand[] = [
  {
    name: 'engines',
    summary: 'list the Docker engines found here and whether each uses the mirror',
    options: { ...ENGINE_OPTIONS, all: { type: 'boolean', default: false } },
    optionHelp: ['--all               also list the engines that were not found', ...ENGINE_HELP],
    async run(ctx) {
      const opts = await detectOptions(ctx);
      const undo = new EngineUndoStore(ctx.store);
      const { engines, notes } = await findEngines(opts);
      const reports: EngineReport[] = [];
      for (const e of engines) {
        if (!e.detection.detected && !ctx.values.all) continue;
        reports.push(await engineReport(e.adapter, e.mirrorUrl, { undo, detection: e.detection }));
      }
      const human = [
        ...(reports.length ? reports.flatMap(reportLines) : ['no Docker engine found']),
        ...notes.map((n) => `note: ${n}`),
        `note: ${HUB_ONLY_NOTE}`,
      ];
      ctx.print(human.join('\n'), { engines: reports, notes: [...notes, HUB_ONLY_NOTE] });
      return EXIT.ok;
    },
  },
  {
    name: 'configure',
    summary: 'point an engine at the mirror: configure, apply, verify (--undo reverts exactly that)',
    options: {
      ...ENGINE_OPTIONS,
      engine: { type: 'string' },
      undo: { type: 'boolean', default: false },
      timeout: { type: 'string' },
    },
    optionHelp: [
      '--engine NAME       docker-desktop, linux-dockerd, orbstack, colima[:PROFILE], machine:NAME',
      '--undo              revert what configure changed (every engine with records when no --engine)',
      '--timeout S         seconds to wait for the engine to list the mirror (default 30)',
    ],
    async run(ctx) {
      const opts = await detectOptions(ctx);
      const undo = new EngineUndoStore(ctx.store);
      const run = {
        undo,
        verifyTimeoutMs: intOption(ctx.values, 'timeout', 30) * 1000,
        onStep: (line: string) => ctx.json || ctx.io.err(line),
      };
      const name = str(ctx, 'engine');
      if (ctx.values.undo) {
        const names = name ? [name] : Object.keys(await undo.all());
        if (!names.length)
          throw configureError('NOTHING_TO_UNDO', 'nothing to undo: configure has not changed any engine');
        const results = [];
        for (const n of names) results.push(await undoEngine((await engineByName(n, opts)).adapter, run));
        const ok = results.every((r) => r.verified);
        ctx.print(
          results
            .map(
              (r) =>
                `${r.engine}: ${
                  r.verified
                    ? 'no longer uses the mirror (verified)'
                    : `reverted, but the engine reports mirrors ${JSON.stringify(r.engineMirrors)}: the undo record is kept, run configure --undo again`
                }`,
            )
            .join('\n'),
          { undone: results },
        );
        return ok ? EXIT.ok : EXIT.notRunning;
      }
      const target = name ? await engineByName(name, opts) : await onlyEngine(opts);
      if (!target.mirrorUrl) {
        throw configureError(
          'NOT_RUNNING',
          `no mirror for ${target.adapter.name} yet: create the registry machine first (drpc machine create-registry)`,
        );
      }
      const out = await configureEngine(target.adapter, target.mirrorUrl, run);
      ctx.print(
        out.verified
          ? `${out.engine}: using-mirror (verified: the engine lists ${out.mirrorUrl})\nnote: ${HUB_ONLY_NOTE}`
          : `${out.engine}: configured-not-applied: the engine reports mirrors ${JSON.stringify(out.engineMirrors)}`,
        out,
      );
      return out.verified ? EXIT.ok : EXIT.notRunning;
    },
  },
];

export const engineCommands: CliCommand[] = [...configureCommands, ...machineCommands];

/** Without --engine: the one engine found on this host; several (or none) need a choice. */
async function onlyEngine(opts: DetectOptions) {
  const { engines } = await findEngines({ ...opts, dockerMachine: null });
  const found = engines.filter((e) => e.detection.detected);
  const [only] = found;
  if (found.length === 1 && only) return { adapter: only.adapter, mirrorUrl: only.mirrorUrl };
  throw configureError(
    'UNKNOWN_ENGINE',
    found.length
      ? `several engines found (${found.map((e) => e.adapter.name).join(', ')}): choose one with --engine`
      : 'no Docker engine found here: name one with --engine (drpc engines --all lists them)',
  );
}
