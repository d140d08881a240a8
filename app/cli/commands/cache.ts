// drpc ls | du | stats | prune | reset: what is cached, what it costs, and taking it away safely.
import { CacheService, type PruneSelection } from '../../cache/service.js';
import { RESET_CONFIRMATION } from '../../cache/reset.js';
import type { PrunePlan } from '../../cache/prune/plan.js';
import { AppError } from '../../util/errors.js';
import { formatAgo, formatBytes, parseBytes } from '../../util/format.js';
import type { CliCommand, CliContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { intOption } from '../global-options.js';
import { collectionOutcome } from '../../cache/prune/outcome.js';

async function service(ctx: CliContext): Promise<CacheService> {
  const { docker } = await ctx.engine();
  return new CacheService({ docker, mirror: await ctx.mirror(), stateDir: ctx.configDir });
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '))
    .join('\n');
}

function describePlan(
  plan: Pick<PrunePlan, 'repositories' | 'tags' | 'reason' | 'bytes' | 'orphanBytes'>,
): string {
  const what = [
    ...plan.repositories.map((r) => `  ${r}`),
    ...plan.tags.map(
      (t) => `  ${t.repo}:${t.tag} (${t.revisions.length} manifest${t.revisions.length === 1 ? '' : 's'})`,
    ),
  ];
  if (!what.length) return `nothing to prune (${plan.reason})`;
  const orphans = plan.orphanBytes ? `, plus ${formatBytes(plan.orphanBytes)} already unreferenced` : '';
  return [`prune (${plan.reason}):`, ...what, `frees ${formatBytes(plan.bytes)}${orphans}`].join('\n');
}

function selection(ctx: CliContext): PruneSelection {
  const unused = ctx.values['unused-days'];
  const shrink = ctx.values['shrink-to'];
  const chosen = [unused !== undefined, shrink !== undefined, ctx.positionals.length > 0].filter(
    Boolean,
  ).length;
  if (chosen !== 1) {
    throw new AppError(
      'INVALID_INPUT',
      'say what to prune: REPO[:TAG]..., --unused-days N, or --shrink-to SIZE (one of them)',
    );
  }
  if (unused !== undefined) return { kind: 'unused', days: intOption(ctx.values, 'unused-days', 0) };
  if (shrink !== undefined) {
    const bytes = parseBytes(String(shrink));
    if (bytes === undefined)
      throw new AppError('INVALID_INPUT', `--shrink-to takes a size like 10GB (got "${String(shrink)}")`);
    return { kind: 'shrink', targetBytes: bytes };
  }
  return {
    kind: 'items',
    items: ctx.positionals.map((p) => {
      // A tag follows the last colon after the last slash (host:port/repo:tag stays whole).
      const slash = p.lastIndexOf('/');
      const colon = p.lastIndexOf(':');
      return colon > slash ? { repo: p.slice(0, colon), tag: p.slice(colon + 1) } : { repo: p };
    }),
  };
}

export const cacheCommands: CliCommand[] = [
  {
    name: 'ls',
    summary: 'cached repositories: tags, size, reclaimable bytes, last pull, pulls',
    async run(ctx) {
      const report = await (await service(ctx)).report();
      if (ctx.json || !report.repositories.length) {
        ctx.print('nothing cached yet', report.repositories);
        return EXIT.ok;
      }
      const rows = [['REPOSITORY', 'TAGS', 'SIZE', 'RECLAIMABLE', 'LAST PULL', 'PULLS']];
      for (const r of report.repositories) {
        rows.push([
          r.name,
          r.tags.map((t) => t.name).join(','),
          formatBytes(r.totalBytes),
          formatBytes(r.exclusiveBytes),
          formatAgo(r.lastPull),
          String(r.pulls),
        ]);
      }
      ctx.io.out(table(rows));
      return EXIT.ok;
    },
  },
  {
    name: 'du',
    summary: 'disk usage of the cache and free space of its volume',
    async run(ctx) {
      const report = await (await service(ctx)).report();
      const t = report.totals;
      const top = [...report.repositories].sort((a, b) => b.totalBytes - a.totalBytes).slice(0, 5);
      ctx.print(
        [
          `cache: ${formatBytes(t.blobBytes)} in ${t.repositories} repositories, ${t.tags} tags (${formatBytes(t.diskBytes)} on disk)`,
          `free on its volume: ${formatBytes(report.volume.freeBytes)} of ${formatBytes(report.volume.totalBytes)}`,
          ...(report.volume.full
            ? ['DISK FULL: the mirror cannot cache new images; prune to free space']
            : []),
          ...(t.orphanBytes ? [`unreferenced: ${formatBytes(t.orphanBytes)} (the next prune frees it)`] : []),
          ...(t.uploads.count
            ? [`uploads in progress: ${t.uploads.count} (${formatBytes(t.uploads.bytes)})`]
            : []),
          ...(top.length
            ? [
                'largest:',
                ...top.map(
                  (r) =>
                    `  ${r.name}  ${formatBytes(r.totalBytes)} (${formatBytes(r.exclusiveBytes)} reclaimable)`,
                ),
              ]
            : []),
        ].join('\n'),
        { totals: report.totals, volume: report.volume, largest: top },
      );
      return EXIT.ok;
    },
  },
  {
    name: 'stats',
    summary: 'hit ratio and Docker Hub traffic saved',
    async run(ctx) {
      const v = await (await service(ctx)).statistics();
      const ratio = v.hitRatio === null ? 'no pulls yet' : `${(v.hitRatio * 100).toFixed(1)} %`;
      ctx.print(
        [
          `blob requests: ${v.blobs.requests} (${v.blobs.hits} from the cache, ${v.blobs.misses} from the upstream)`,
          `hit ratio: ${ratio}`,
          `served: ${formatBytes(v.bytesServed)}, of which from the upstream: ${formatBytes(v.bytesFromUpstream)}; saved: ${formatBytes(v.bytesSaved)}`,
        ].join('\n'),
        v,
      );
      return EXIT.ok;
    },
  },
  {
    name: 'prune',
    owner: 'drives',
    args: '[REPO[:TAG]...]',
    maxPositionals: 1000,
    summary: 'remove repositories or tags (with a preview), then garbage-collect',
    options: {
      'unused-days': { type: 'string' },
      'shrink-to': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
    optionHelp: [
      '--unused-days N     every repository not pulled for N days',
      '--shrink-to SIZE    least recently pulled first, until the cache is at most SIZE (e.g. 10GB)',
      '--dry-run           show what would go and what it frees; change nothing',
    ],
    async run(ctx) {
      const svc = await service(ctx);
      const plan = await svc.plan(selection(ctx));
      if (ctx.values['dry-run'] || (!plan.repositories.length && !plan.tags.length)) {
        ctx.print(describePlan(plan), { plan, executed: false });
        return EXIT.ok;
      }
      if (!ctx.json) ctx.io.out(describePlan(plan));
      const result = await svc.prune(plan, {
        onProgress: (p) => {
          if (!ctx.json) ctx.io.err(`${Math.round(p.fraction * 100)}% ${p.message}`);
        },
      });
      ctx.print(
        `freed ${formatBytes(result.freedBytes)} (preview: ${formatBytes(result.previewBytes + result.orphanBytes)}). ${collectionOutcome(result)}`,
        { plan, executed: true, result },
      );
      return EXIT.ok;
    },
    // The owner plans and prunes (the mirror keeps serving, or, where the registry's own garbage
    // collection runs, it starts it once, in the mode it keeps); its steps come back as cache.progress events.
    async viaOwner(ctx, call) {
      const plan = await call('cache.plan', { selection: selection(ctx) });
      if (ctx.values['dry-run'] || (!plan.repositories.length && !plan.tags.length)) {
        ctx.print(describePlan(plan), { plan, executed: false });
        return EXIT.ok;
      }
      if (!ctx.json) ctx.io.out(describePlan(plan));
      const result = await call('cache.prune', { planId: plan.id }, (event, payload) => {
        const p = payload as { fraction: number; message: string };
        if (!ctx.json && event === 'cache.progress')
          ctx.io.err(`${Math.round(p.fraction * 100)}% ${p.message}`);
      });
      ctx.print(
        `freed ${formatBytes(result.freedBytes)} (preview: ${formatBytes(result.previewBytes + result.orphanBytes)}). ${collectionOutcome(result)}`,
        { plan, executed: true, result },
      );
      return EXIT.ok;
    },
  },
  {
    name: 'reset',
    owner: 'drives',
    summary: `delete the whole cache and start an empty mirror (--confirm "${RESET_CONFIRMATION}")`,
    options: { confirm: { type: 'string' } },
    optionHelp: [`--confirm TEXT      must be "${RESET_CONFIRMATION}"`],
    async run(ctx) {
      const result = await (
        await service(ctx)
      ).reset(String(ctx.values.confirm ?? ''), (step) => {
        if (!ctx.json) ctx.io.err(step);
      });
      ctx.print(
        `deleted ${result.repositoriesRemoved} repositories (${formatBytes(result.freedBytes)}); the mirror is ${result.status.state}`,
        result,
      );
      return EXIT.ok;
    },
    async viaOwner(ctx, call) {
      const result = await call(
        'cache.reset',
        { confirmation: String(ctx.values.confirm ?? '') },
        (event, payload) => {
          if (!ctx.json && event === 'cache.progress') ctx.io.err((payload as { step: string }).step);
        },
      );
      ctx.print(
        `deleted ${result.repositoriesRemoved} repositories (${formatBytes(result.freedBytes)}); the mirror is ${result.status.state}`,
        result,
      );
      return EXIT.ok;
    },
  },
];
