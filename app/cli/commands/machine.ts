// drpc machine ls | create-registry [NAME] | configure NAME | flags: the seed's docker-machine setup.
import {
  configureEngine,
  engineReport,
  HUB_ONLY_NOTE,
  undoEngine,
} from '../../configure/engines/configure-engine.js';
import { configureError } from '../../configure/errors.js';
import { createArgs, DEFAULT_REGISTRY_MACHINE, DockerMachine } from '../../configure/machine/cli.js';
import { MachineEngine, newMachineFlags } from '../../configure/machine/machine-engine.js';
import {
  createRegistryMachine,
  MACHINE_DATA_DIR,
  registryMachineUrl,
} from '../../configure/machine/registry-machine.js';
import { processRunner } from '../../configure/runner.js';
import { EngineUndoStore } from '../../configure/undo-store.js';
import { AppError } from '../../util/errors.js';
import type { CliCommand, CliContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { intOption } from '../global-options.js';

const str = (ctx: CliContext, key: string) =>
  typeof ctx.values[key] === 'string' ? (ctx.values[key] as string) : undefined;

function dockerMachine(ctx: CliContext): DockerMachine {
  const env = ctx.io.env;
  return new DockerMachine({
    env,
    runner: (file, args, opts) => processRunner(file, args, { env, ...opts }),
  });
}

/** --driver-opt virtualbox-memory=2048 (repeatable) -> { 'virtualbox-memory': '2048' }; a bare name is a boolean flag. */
function driverOptions(ctx: CliContext): Record<string, string | true> {
  const raw = ctx.values['driver-opt'] as unknown;
  const list = raw === undefined ? [] : Array.isArray(raw) ? (raw as string[]) : [String(raw)];
  return Object.fromEntries(
    list.map((o) =>
      o.includes('=') ? [o.slice(0, o.indexOf('=')), o.slice(o.indexOf('=') + 1)] : [o, true],
    ),
  );
}

async function registryUrl(ctx: CliContext, dm: DockerMachine, machine?: string): Promise<string> {
  const given = str(ctx, 'machine-mirror-url');
  if (given) return given;
  const registry = str(ctx, 'registry-machine') ?? DEFAULT_REGISTRY_MACHINE;
  // The registry machine runs the mirror itself: it uses its own loopback, as create-registry set it up.
  if (machine === registry) return `http://localhost:${ctx.settings.port}`;
  const url = await registryMachineUrl(dm, registry, ctx.settings.port);
  if (!url)
    throw configureError(
      'NOT_RUNNING',
      `the registry machine "${registry}" is not running (or does not exist): drpc machine create-registry ${registry}`,
    );
  return url;
}

const subcommands: Record<string, (ctx: CliContext, dm: DockerMachine, arg?: string) => Promise<number>> = {
  async ls(ctx, dm) {
    const registry = str(ctx, 'registry-machine') ?? DEFAULT_REGISTRY_MACHINE;
    const machines = await dm.ls();
    const url = await registryMachineUrl(dm, registry, ctx.settings.port);
    const undo = new EngineUndoStore(ctx.store);
    const rows = [];
    for (const m of machines) {
      const own = m.name === registry;
      const report = await engineReport(
        new MachineEngine(m.name, dm),
        own ? `http://localhost:${ctx.settings.port}` : url,
        {
          undo,
          detection: { detected: true, how: `${m.driver}, ${m.state}` },
        },
      );
      rows.push({
        ...m,
        registryMachine: own,
        state: m.state,
        mirror: report.state,
        mirrorUrl: report.mirrorUrl,
      });
    }
    const human = rows.length
      ? rows.map(
          (r) =>
            `${r.name}${r.registryMachine ? ' (registry machine)' : ''}: ${r.state}, ${r.driver}, ${r.url || 'no URL'}; mirror: ${r.mirror}${r.mirrorUrl ? ` (${r.mirrorUrl})` : ''}`,
        )
      : ['no machines (docker-machine ls is empty)'];
    ctx.print(human.join('\n'), { machines: rows });
    return EXIT.ok;
  },

  async 'create-registry'(ctx, dm, arg) {
    const name = arg ?? DEFAULT_REGISTRY_MACHINE;
    const driver = str(ctx, 'driver') ?? 'virtualbox';
    const result = await createRegistryMachine({
      dm,
      name,
      driver,
      driverOptions: driverOptions(ctx),
      settings: ctx.settings,
      credentials: upstreamCredentials(ctx.io.env),
      dataDir: str(ctx, 'machine-data-dir') ?? MACHINE_DATA_DIR,
      confirmRemove: async () => ctx.values.yes === true,
      onStep: (line) => ctx.json || ctx.io.err(line),
    });
    const copy = `docker-machine create --driver ${driver} ${result.newMachineFlags.join(' ')} NAME`;
    ctx.print(
      [
        `${result.machine} (${result.ip}): the mirror is ${result.status.state}`,
        `other machines use it as ${result.mirrorUrl} (drpc machine configure NAME)`,
        `new machines: ${copy}`,
      ].join('\n'),
      { ...result, createCommand: copy },
    );
    return result.status.state === 'running' ? EXIT.ok : EXIT.notRunning;
  },

  async configure(ctx, dm, arg) {
    if (!arg)
      throw new AppError(
        'INVALID_INPUT',
        'machine configure needs the machine name: drpc machine configure NAME',
      );
    const adapter = new MachineEngine(arg, dm);
    const run = {
      undo: new EngineUndoStore(ctx.store),
      verifyTimeoutMs: intOption(ctx.values, 'timeout', 60) * 1000,
      onStep: (line: string) => ctx.json || ctx.io.err(line),
    };
    if (ctx.values.undo) {
      const r = await undoEngine(adapter, run);
      ctx.print(
        `${r.engine}: ${r.verified ? 'no longer uses the mirror (verified)' : 'undone, but its engine still lists the mirror'}`,
        r,
      );
      return r.verified ? EXIT.ok : EXIT.notRunning;
    }
    const out = await configureEngine(adapter, await registryUrl(ctx, dm, arg), run);
    ctx.print(
      out.verified
        ? `${out.engine}: using-mirror (verified: its engine lists ${out.mirrorUrl})\nnote: ${HUB_ONLY_NOTE}`
        : `${out.engine}: configured-not-applied: its engine reports ${JSON.stringify(out.engineMirrors)}`,
      out,
    );
    return out.verified ? EXIT.ok : EXIT.notRunning;
  },

  async flags(ctx, dm) {
    const url = await registryUrl(ctx, dm);
    const flags = newMachineFlags(url);
    const driver = str(ctx, 'driver') ?? 'virtualbox';
    const command = [
      'docker-machine',
      ...createArgs('NAME', { driver, driverOptions: driverOptions(ctx) }).slice(0, -1),
      ...flags,
      'NAME',
    ].join(' ');
    ctx.print(`${flags.join(' ')}\n\n${command}`, { mirrorUrl: url, flags, command });
    return EXIT.ok;
  },
};

function upstreamCredentials(env: NodeJS.ProcessEnv) {
  const username = env.DRPC_UPSTREAM_USERNAME;
  const password = env.DRPC_UPSTREAM_PASSWORD;
  return username && password ? { username, password } : null;
}

export const machineCommands: CliCommand[] = [
  {
    name: 'machine',
    args: 'SUBCOMMAND',
    maxPositionals: 2,
    summary:
      'docker-machine: ls | create-registry [NAME] | configure NAME | flags (the registry machine and its users)',
    options: {
      driver: { type: 'string' },
      'driver-opt': { type: 'string', multiple: true },
      yes: { type: 'boolean', default: false },
      undo: { type: 'boolean', default: false },
      timeout: { type: 'string' },
      'registry-machine': { type: 'string' },
      'machine-mirror-url': { type: 'string' },
      'machine-data-dir': { type: 'string' },
    },
    optionHelp: [
      '--driver D          create-registry, flags: the docker-machine driver (default virtualbox)',
      '--driver-opt K=V    create-registry: a driver flag without its dashes, e.g. virtualbox-memory=2048',
      '--yes               create-registry: remove an existing machine of that name first',
      '--undo              configure: revert what configure changed on that machine',
      '--registry-machine NAME  the machine that runs the mirror (default registry-proxy-cache)',
    ],
    async run(ctx) {
      const [sub = 'ls', arg] = ctx.positionals;
      const fn = subcommands[sub];
      if (!fn)
        throw new AppError(
          'INVALID_INPUT',
          `unknown machine command "${sub}": ls, create-registry, configure or flags`,
        );
      if (sub !== 'create-registry' && sub !== 'configure' && arg !== undefined) {
        throw new AppError('INVALID_INPUT', `unexpected argument "${arg}"`);
      }
      return fn(ctx, dockerMachine(ctx), arg);
    },
  },
];
