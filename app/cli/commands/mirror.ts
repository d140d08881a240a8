// drpc up | down | restart | rm | status | verify | logs: the mirror container's lifecycle.
import type { MirrorStatus } from '../../mirror/status.js';
import { MirrorKeeper } from '../../mirror/keeper.js';
import { recreatesMirror } from '../../mirror/settings.js';
import { probeUpstream } from '../../mirror/upstream-probe.js';
import { verifyMirror } from '../../mirror/verify.js';
import { enforceQuota } from '../../cache/quota.js';
import { CacheService } from '../../cache/service.js';
import { AppError } from '../../util/errors.js';
import { formatBytes, parseBytes } from '../../util/format.js';
import type { CliCommand } from '../command.js';
import { EXIT, exitForState } from '../exit-codes.js';
import { intOption } from '../global-options.js';

export function statusLine(s: MirrorStatus): string {
  const parts = [`${s.state}: ${s.message}`];
  if (s.state === 'running') parts.push(`use ${s.mirrorUrl} as registry mirror`);
  if (s.container && !s.container.configCurrent)
    parts.push('settings changed since it was created: run up to apply');
  if (s.port?.suggestion) parts.push(`try --port ${s.port.suggestion}`);
  return parts.join('\n');
}

export const mirrorCommands: CliCommand[] = [
  {
    name: 'up',
    summary: 'create or update the mirror container, start it, wait until it serves',
    options: { 'no-wait': { type: 'boolean', default: false }, offline: { type: 'boolean', default: false } },
    optionHelp: [
      '--no-wait           return once started, without waiting for it to serve',
      '--offline           serve the cache without the upstream (read-only); `watch` switches by itself',
    ],
    async run(ctx) {
      const mirror = await ctx.mirror(ctx.values.offline ? 'offline' : 'proxy');
      let last = '';
      const { action, status } = await mirror.up((p) => {
        if (!ctx.json && p.status !== last) ctx.io.err(`pulling ${ctx.settings.image}: ${(last = p.status)}`);
      });
      ctx.print(`${action}: ${statusLine(status)}`, { action, status });
      const ok =
        status.state === 'running' || (ctx.values['no-wait'] === true && status.state === 'starting');
      return ok ? EXIT.ok : exitForState(status.state);
    },
  },
  {
    name: 'watch',
    summary: 'keep the mirror serving: offline while the upstream is unreachable, back after faults',
    options: {
      'probe-url': { type: 'string' },
      interval: { type: 'string' },
      'no-recreate': { type: 'boolean', default: false },
    },
    optionHelp: [
      '--probe-url URL     how this machine reaches the upstream, when not by its URL',
      '--interval S        seconds between probes of the upstream (default 5)',
      '--no-recreate       restart a stopped mirror, but do not recreate a removed one',
    ],
    async run(ctx) {
      const { docker } = await ctx.engine();
      const probeUrl =
        typeof ctx.values['probe-url'] === 'string' ? ctx.values['probe-url'] : ctx.settings.upstreamUrl;
      // watch keeps the mirror serving whatever happened before it started: the user wants it running.
      const mirrors = { proxy: ctx.mirrorSync('proxy'), offline: ctx.mirrorSync('offline') };
      const keeper = new MirrorKeeper({
        docker,
        mirrorFor: (mode) => mirrors[mode],
        probe: () => probeUpstream(probeUrl, 3000),
        recreate: ctx.values['no-recreate'] !== true && recreatesMirror(ctx.settings),
        wanted: 'running',
        probeIntervalMs: intOption(ctx.values, 'interval', 5) * 1000,
        statusIntervalMs: 2000,
      });
      const log = (event: string, data: Record<string, unknown>) =>
        ctx.io.out(
          ctx.json
            ? JSON.stringify({ event, ...data, time: new Date().toISOString() })
            : `${event}: ${String(data.message ?? '')}`,
        );
      keeper.on('mode', (c) => log('mode', { mode: c.mode, message: c.message }));
      keeper.on('status', (s) => log('status', { state: s.state, message: s.message }));
      keeper.on('recovered', (r) =>
        log('recovered', { ...r, message: `${r.action} after ${r.from} in ${r.ms} ms` }),
      );
      keeper.on('failed', (e) => log('error', { message: e.message }));
      const quota = typeof ctx.values.quota === 'string' ? parseBytes(ctx.values.quota) : null;
      if (quota === undefined)
        throw new AppError(
          'INVALID_INPUT',
          `--quota takes a size like 20GB (got "${String(ctx.values.quota)}")`,
        );
      let quotaTimer: NodeJS.Timeout | undefined;
      if (quota !== null) {
        const cache = new CacheService({ docker, mirror: mirrors.proxy, stateDir: ctx.configDir });
        const check = async () => {
          // A prune stops the mirror for a moment: the keeper must not start it again meanwhile.
          const r = await keeper
            .exclusive(() => enforceQuota(cache, quota))
            .catch((e: Error) => (log('error', { message: e.message }), undefined));
          if (r?.result)
            log('quota', {
              message: `over ${formatBytes(quota)}: pruned ${r.plan!.repositories.join(', ')}, freed ${formatBytes(r.result.freedBytes)}`,
            });
          quotaTimer = setTimeout(() => void check(), 60_000);
        };
        void check();
      }
      keeper.start();
      await (ctx.io.interrupted ?? new Promise<void>(() => {}));
      if (quotaTimer) clearTimeout(quotaTimer);
      await keeper.stop();
      return EXIT.ok;
    },
  },
  {
    name: 'down',
    summary: 'stop the mirror (the container and the cache stay)',
    async run(ctx) {
      const stopped = await (await ctx.mirror()).down();
      ctx.print(stopped ? 'stopped' : 'already stopped', { stopped });
      return EXIT.ok;
    },
  },
  {
    name: 'restart',
    summary: 'restart the mirror',
    async run(ctx) {
      const status = await (await ctx.mirror()).restart();
      ctx.print(statusLine(status), { status });
      return exitForState(status.state);
    },
  },
  {
    name: 'rm',
    summary: 'remove the mirror container (the cache on disk stays)',
    async run(ctx) {
      const removed = await (await ctx.mirror()).remove();
      ctx.print(removed ? `removed (the cache in ${ctx.settings.dataDir} stays)` : 'no container to remove', {
        removed,
      });
      return EXIT.ok;
    },
  },
  {
    name: 'status',
    summary: "show the mirror's state",
    async run(ctx) {
      const status = await (await ctx.mirror()).status();
      ctx.print(statusLine(status), status);
      return exitForState(status.state);
    },
  },
  {
    name: 'verify',
    args: '[IMAGE]',
    maxPositionals: 1,
    summary: 'pull IMAGE (default busybox) through the engine and check the mirror caches it',
    async run(ctx) {
      const { docker } = await ctx.engine();
      const image = ctx.positionals[0];
      const report = await verifyMirror(docker, await ctx.mirror(), {
        ...(image ? { image } : {}),
        onStep: (s) => {
          if (!ctx.json) ctx.io.out(`${s.ok ? 'ok  ' : 'FAIL'} ${s.title}: ${s.detail} (${s.ms} ms)`);
        },
      });
      if (ctx.json) ctx.io.out(JSON.stringify(report));
      else ctx.io.out(report.ok ? 'verified: the mirror caches pulls' : 'verification failed');
      return report.ok ? EXIT.ok : EXIT.notRunning;
    },
  },
  {
    name: 'logs',
    summary: "print the mirror's log",
    options: { tail: { type: 'string' }, follow: { type: 'boolean', short: 'f', default: false } },
    optionHelp: ['--tail N            last N lines (default 200)', '-f, --follow        keep printing'],
    async run(ctx) {
      const mirror = await ctx.mirror();
      const tail = intOption(ctx.values, 'tail', 200);
      if (!ctx.values.follow) {
        ctx.io.out((await mirror.logs(tail)).replace(/\n$/, ''));
        return EXIT.ok;
      }
      const stop = await mirror.followLogs((line) => ctx.io.out(line), tail);
      await (ctx.io.interrupted ?? new Promise<void>(() => {}));
      stop();
      return EXIT.ok;
    },
  },
];
