// drpc clients preview|apply|verify|undo --client hosts-dir|buildkit|podman|k3d|kind: clients that
// bypass dockerd's registry-mirrors, pointed at one mirror per registry. The logic is in
// app/configure/clients; this only reads the options and prints.
import {
  applyClient,
  CLIENTS,
  ClientUndoStore,
  isClient,
  previewClient,
  undoClient,
  verifyClient,
  type ClientTarget,
  type FileChange,
  type MirrorEntry,
} from '../../configure/clients/index.js';
import { loadRegistries } from '../../registries/store.js';
import { AppError } from '../../util/errors.js';
import type { CliCommand, CliContext } from '../command.js';
import { EXIT } from '../exit-codes.js';

const ACTIONS = ['preview', 'apply', 'verify', 'undo'] as const;

/**
 * `--mirrors docker.io=http://h:5000,ghcr.io=http://h:5001`; without it, Docker Hub to this mirror and
 * every enabled registry (drpc registries) to its own.
 */
async function entriesOf(ctx: CliContext): Promise<MirrorEntry[]> {
  const given = ctx.values.mirrors;
  if (typeof given === 'string')
    return given
      .split(',')
      .filter((s) => s.trim())
      .map((pair) => {
        const at = pair.indexOf('=');
        if (at <= 0)
          throw new AppError(
            'INVALID_INPUT',
            `--mirrors takes REGISTRY=URL pairs separated by commas (got "${pair}")`,
          );
        return { registry: pair.slice(0, at).trim(), mirrorUrl: pair.slice(at + 1).trim() };
      });
  if (ctx.registry)
    throw new AppError(
      'INVALID_INPUT',
      '--registry: clients points at every registry’s mirror (drpc registries); leave it out, or give --mirrors',
    );
  const mirrorUrl = await ctx.mirror().then(
    (m) => m.mirrorUrl,
    () => `http://localhost:${ctx.settings.port}`,
  );
  // Docker Hub to this mirror, each enabled registry to its own (the same host, its port); each falls
  // back to the mirror's upstream when the mirror does not answer.
  const at = (port: number) => {
    const u = new URL(mirrorUrl);
    u.port = String(port);
    return `${u.protocol}//${u.host}`;
  };
  return [
    { registry: 'docker.io', mirrorUrl, server: ctx.settings.upstreamUrl },
    ...(await loadRegistries(ctx.settingsFile))
      .filter((e) => e.enabled)
      .map((e) => ({ registry: e.host, mirrorUrl: at(e.port), server: e.upstreamUrl })),
  ];
}

function target(ctx: CliContext): ClientTarget {
  const client = ctx.values.client;
  if (typeof client !== 'string' || !isClient(client))
    throw new AppError('INVALID_INPUT', `--client must be one of ${CLIENTS.join(', ')}`);
  const workers = ctx.values.workers;
  const n = typeof workers === 'string' ? Number(workers) : 0;
  if (!Number.isInteger(n) || n < 0 || n > 50)
    throw new AppError('INVALID_INPUT', '--workers takes a number from 0 to 50');
  return {
    client,
    ...(typeof ctx.values.file === 'string' ? { file: ctx.values.file } : {}),
    ...(typeof ctx.values.dir === 'string' ? { dir: ctx.values.dir } : {}),
    workers: n,
  };
}

const lines = (changes: FileChange[]) => changes.map((c) => `${c.action}: ${c.file}`).join('\n');

export const clientCommands: CliCommand[] = [
  {
    name: 'clients',
    args: 'preview|apply|verify|undo',
    summary:
      'clients that bypass registry-mirrors (containerd hosts dir, BuildKit, Podman, k3d, kind): one mirror per registry',
    options: {
      client: { type: 'string' },
      file: { type: 'string' },
      dir: { type: 'string' },
      mirrors: { type: 'string' },
      workers: { type: 'string' },
    },
    optionHelp: [
      `--client NAME       ${CLIENTS.join(', ')}`,
      '--file PATH         buildkitd.toml, registries.conf, k3d registries.yaml or kind cluster config',
      '--dir DIR           hosts directory (hosts-dir; kind: default certs.d beside --file)',
      '--mirrors LIST      REGISTRY=URL,… (default: docker.io and every enabled registry to its mirror); kind/k3d need an address nodes reach',
      '--workers N         kind: worker nodes besides the control plane (default 0)',
    ],
    maxPositionals: 1,
    async run(ctx) {
      const action = ctx.positionals[0];
      if (!action || !(ACTIONS as readonly string[]).includes(action))
        throw new AppError(
          'INVALID_INPUT',
          `say what to do: drpc clients ${ACTIONS.join('|')} --client NAME`,
        );
      const t = target(ctx);
      const store = new ClientUndoStore(ctx.store);
      if (action === 'undo') {
        const changes = await undoClient(t, store);
        ctx.print(changes.length ? lines(changes) : 'nothing to undo', { client: t.client, changes });
        return EXIT.ok;
      }
      const entries = await entriesOf(ctx);
      if (action === 'verify') {
        const r = await verifyClient(t, entries);
        ctx.print(
          r.ok
            ? `${t.client}: every mirror entry is there`
            : `${t.client}: missing\n  ${r.missing.join('\n  ')}`,
          {
            client: t.client,
            ...r,
          },
        );
        return r.ok ? EXIT.ok : EXIT.notRunning;
      }
      if (action === 'preview') {
        const changes = await previewClient(t, entries);
        ctx.print(
          changes
            .map(
              (c) =>
                `${c.action === 'unchanged' ? 'unchanged' : `would be ${c.action}`}: ${c.file}${c.action === 'unchanged' ? '' : `\n${c.text ?? ''}`}`,
            )
            .join('\n'),
          { client: t.client, changes },
        );
        return EXIT.ok;
      }
      const changes = await applyClient(t, entries, store);
      const check = await verifyClient(t, entries);
      ctx.print(
        `${lines(changes)}\n${check.ok ? 'verified: every mirror entry is there' : `not verified:\n  ${check.missing.join('\n  ')}`}`,
        {
          client: t.client,
          changes,
          verified: check.ok,
        },
      );
      return check.ok ? EXIT.ok : EXIT.notRunning;
    },
  },
];
