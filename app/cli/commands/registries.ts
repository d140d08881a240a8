// drpc registries [add HOST [UPSTREAM_URL] | rm HOST | enable HOST | disable HOST]: the registries besides
// Docker Hub that get a mirror of their own. Every other command acts on one with --registry HOST
// (`drpc up --registry ghcr.io`, `drpc ls --registry ghcr.io`); up and down without it open or stop every
// enabled one after Docker Hub's.
import { Mirror } from '../../mirror/mirror.js';
import { canBind } from '../../mirror/ports.js';
import {
  addRegistry,
  changeRegistry,
  findRegistry,
  KNOWN_REGISTRIES,
  notListed,
  registryMirrorSettings,
  removeRegistry,
  type RegistryEntry,
} from '../../registries/registries.js';
import { loadRegistries, saveRegistries } from '../../registries/store.js';
import { loadMirrorSettings } from '../../settings/mirror-settings-store.js';
import { AppError } from '../../util/errors.js';
import type { CliCommand, CliContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { settingsChange } from '../global-options.js';

const ACTIONS = ['ls', 'add', 'rm', 'enable', 'disable'] as const;
type Action = (typeof ACTIONS)[number];

interface Row extends RegistryEntry {
  container: string;
  dataDir: string;
  state?: string;
}

export const registriesCommands: CliCommand[] = [
  {
    name: 'registries',
    args: '[add HOST [UPSTREAM_URL] | rm HOST | enable HOST | disable HOST]',
    summary: 'registries besides Docker Hub cached by mirrors of their own (ghcr.io, quay.io, ...)',
    maxPositionals: 3,
    async run(ctx) {
      const [raw = 'ls', host, url] = ctx.positionals;
      if (!(ACTIONS as readonly string[]).includes(raw))
        throw new AppError('INVALID_INPUT', `registries ${raw}: use ls, add, rm, enable or disable`);
      const action = raw as Action;
      if (ctx.registry) throw new AppError('INVALID_INPUT', '--registry: name the registry after the action');
      const flags = Object.keys(settingsChange(ctx.values));
      if (flags.length)
        throw new AppError(
          'INVALID_INPUT',
          "registries takes no mirror settings: a registry's port is chosen free, and changed with drpc up --registry HOST --port N",
        );
      if (action !== 'ls' && !host) throw new AppError('INVALID_INPUT', `registries ${action} needs a HOST`);
      if (action !== 'add' && url !== undefined)
        throw new AppError('INVALID_INPUT', `registries ${action} takes one HOST`);
      const main = await loadMirrorSettings(ctx.settingsFile, ctx.io.env);
      const list = await loadRegistries(ctx.settingsFile);
      if (action === 'ls') return listRegistries(ctx, list);
      let next: RegistryEntry[];
      if (action === 'add')
        next = await addRegistry(list, main, { host: host!, ...(url ? { upstreamUrl: url } : {}) }, (p) =>
          canBind(p, main.bindAddress),
        );
      else if (action === 'rm') {
        const entry = findRegistry(list, host!);
        if (!entry) throw notListed(host!);
        const settings = registryMirrorSettings(main, entry);
        const { docker } = await ctx.engine();
        if (await new Mirror({ docker, settings }).inspect())
          throw new AppError(
            'INVALID_INPUT',
            `${entry.host}'s mirror still has its container: drpc rm --registry ${entry.host} first`,
          );
        next = removeRegistry(list, host!);
      } else next = changeRegistry(list, main, host!, { enabled: action === 'enable' });
      await saveRegistries(ctx.settingsFile, next);
      const entry = findRegistry(next, host!) ?? findRegistry(list, host!)!;
      const settings = registryMirrorSettings(main, entry);
      const said: Record<Exclude<Action, 'ls'>, string> = {
        add: `added ${entry.host}: its mirror will serve on port ${entry.port}, pulling through from ${entry.upstreamUrl}; drpc up starts it`,
        rm: `removed ${entry.host} (its cache stays in ${settings.dataDir})`,
        enable: `enabled ${entry.host}: drpc up starts its mirror with the others`,
        disable: `disabled ${entry.host}: drpc up and down leave its mirror alone`,
      };
      ctx.print(said[action], { action, registry: entry, dataDir: settings.dataDir });
      return EXIT.ok;
    },
  },
];

async function listRegistries(ctx: CliContext, list: RegistryEntry[]): Promise<number> {
  const main = await loadMirrorSettings(ctx.settingsFile, ctx.io.env);
  const engine = await ctx.engine().catch(() => undefined);
  const rows: Row[] = [];
  for (const e of list) {
    const settings = registryMirrorSettings(main, e);
    const info = engine
      ? await new Mirror({ docker: engine.docker, settings }).inspect().catch(() => undefined)
      : undefined;
    rows.push({
      ...e,
      container: settings.containerName,
      dataDir: settings.dataDir,
      ...(engine ? { state: info ? (info.State.Running ? 'running' : 'stopped') : 'not created' } : {}),
    });
  }
  const known = Object.keys(KNOWN_REGISTRIES).filter((h) => !findRegistry(list, h));
  const human = rows.length
    ? rows
        .map(
          (r) =>
            `${r.host}  port ${r.port}  ${r.enabled ? 'enabled' : 'disabled'}  ${r.state ?? ''}  from ${r.upstreamUrl}`,
        )
        .join('\n')
    : `no registries besides Docker Hub: drpc registries add HOST (${known.join(', ')}, or any other)`;
  ctx.print(human, { registries: rows });
  return EXIT.ok;
}
