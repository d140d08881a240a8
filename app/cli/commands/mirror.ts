// drpc up | down | restart | rm | status | verify | logs: the mirror container's lifecycle.
import type { MirrorStatus } from '../../mirror/status.js';
import { openMirror, statusInMode, upstreamProbe } from '../../mirror/startup.js';
import { verifyMirror } from '../../mirror/verify.js';
import { keeperTookOver, startKeeper } from '../../owner/background.js';
import { runOwner } from '../../owner/owner-process.js';
import { saveMirrorSettings } from '../../settings/mirror-settings-store.js';
import { AppError } from '../../util/errors.js';
import { parseBytes } from '../../util/format.js';
import type { CliCommand, CliContext } from '../command.js';
import { EXIT, exitForState } from '../exit-codes.js';
import { intOption } from '../global-options.js';

export function statusLine(s: MirrorStatus): string {
  const parts = [`${s.state}: ${s.message}`];
  if (s.state === 'running') parts.push(`use ${s.mirrorUrl} as registry mirror`);
  // Judged against the mode it runs: offline (by choice or by probe) is not a change of settings.
  if (s.container && !s.container.configCurrent)
    parts.push('settings changed since it was created: run up to apply');
  if (s.port?.suggestion) parts.push(`try --port ${s.port.suggestion}`);
  return parts.join('\n');
}

function upResult(action: string, status: MirrorStatus, noWait: boolean): number {
  void action;
  const ok = status.state === 'running' || (noWait && status.state === 'starting');
  return ok ? EXIT.ok : exitForState(status.state);
}

const PROBE_URL_HELP = '--probe-url URL     how this machine reaches the upstream, when not by its URL';

/** watch and keep: the owner process (app/owner/owner-process.ts) in the foreground or the background. */
async function keepMirror(ctx: CliContext, role: 'watch' | 'keeper'): Promise<number> {
  const quota = typeof ctx.values.quota === 'string' ? parseBytes(ctx.values.quota) : null;
  if (quota === undefined)
    throw new AppError('INVALID_INPUT', `--quota takes a size like 20GB (got "${String(ctx.values.quota)}")`);
  const interval = intOption(ctx.values, 'interval', 5);
  await ctx.engine();
  const report = (event: string, data: Record<string, unknown>) =>
    ctx.io.out(
      ctx.json || role === 'keeper'
        ? JSON.stringify({ event, ...data, time: new Date().toISOString() })
        : `${event}: ${String(data.message ?? '')}`,
    );
  const why = await runOwner({
    role,
    home: ctx.configDir,
    env: ctx.io.env,
    settings: ctx.values['no-recreate'] === true ? { ...ctx.settings, autoRecreate: false } : ctx.settings,
    credentials: ctx.credentials,
    ...(ctx.probeUrl ? { probeUrl: ctx.probeUrl } : {}),
    probeIntervalMs: interval * 1000,
    quotaBytes: quota,
    ...(ctx.values.offline === true ? { mode: 'offline' as const } : {}),
    report,
    until: ctx.io.interrupted ?? new Promise<void>(() => {}),
  });
  if (why === 'handed-over') report('owner', { message: 'handed the mirror over to its new owner' });
  if (why === 'lock-lost') report('owner', { message: 'the lock in the app home is gone: stopping' });
  return EXIT.ok;
}

const WATCH_OPTIONS = {
  'probe-url': { type: 'string' },
  interval: { type: 'string' },
  'no-recreate': { type: 'boolean', default: false },
  quota: { type: 'string' },
} as const;

export const mirrorCommands: CliCommand[] = [
  {
    name: 'up',
    owner: 'displaces',
    summary:
      'open the mirror (recover, repair, proxy or offline as the upstream allows) and keep it in the background',
    options: {
      'no-wait': { type: 'boolean', default: false },
      offline: { type: 'boolean', default: false },
      'no-keeper': { type: 'boolean', default: false },
      'probe-url': { type: 'string' },
    },
    optionHelp: [
      '--no-wait           return once started, without waiting for it to serve',
      '--offline           serve the cache without the upstream (read-only), until up runs without it',
      '--no-keeper         leave no background keeper (no offline switching or supervision afterwards)',
      PROBE_URL_HELP,
    ],
    async run(ctx) {
      const { docker } = await ctx.engine();
      let last = '';
      const opened = await openMirror({
        docker,
        mirrorFor: (mode) => ctx.mirrorSync(mode),
        probe: upstreamProbe(docker, ctx.settings, ctx.probeUrl, 3000, ctx.credentials),
        ...(ctx.values.offline ? { mode: 'offline' as const } : {}),
        onProgress: (p) => {
          if (!ctx.json && p.status !== last)
            ctx.io.err(`pulling ${ctx.settings.image}: ${(last = p.status)}`);
        },
      });
      const { action, status, mode, message } = opened;
      const code = upResult(action, status, ctx.values['no-wait'] === true);
      let keeper: { pid: number; log: string } | undefined;
      if (code === EXIT.ok && ctx.values['no-keeper'] !== true) {
        // The keeper reads the settings this up applied, and takes the lock this up lets go of.
        await saveMirrorSettings(ctx.store, ctx.settings);
        keeper = await startKeeper(ctx.configDir, ctx.io.env, [
          ...(ctx.registry ? ['--registry', ctx.registry] : []),
          ...(typeof ctx.values['probe-url'] === 'string' ? ['--probe-url', ctx.values['probe-url']] : []),
          // Offline by choice stays offline (a metered hotspot): the keeper does not switch it back.
          ...(ctx.values.offline === true ? ['--offline'] : []),
        ]);
        await ctx.lock?.release();
        if (!(await keeperTookOver(ctx.configDir, keeper.pid)))
          ctx.io.err(`drpc: the background keeper did not start: see ${keeper.log}`);
      }
      ctx.print(
        [
          `${action}: ${statusLine(status)}`,
          message,
          ...(keeper
            ? [`kept in the background (pid ${keeper.pid}, log ${keeper.log}); drpc down stops it`]
            : []),
        ].join('\n'),
        { action, status, mode, message, ...(keeper ? { keeper } : {}) },
      );
      return code;
    },
    async viaOwner(ctx, call) {
      if (ctx.values.offline === true)
        throw new AppError(
          'INVALID_INPUT',
          '--offline: the running owner switches modes by the upstream itself; stop it (or quit the app) to choose offline',
        );
      let last = '';
      const { action, status } = await call('mirror.up', undefined, (event, payload) => {
        const p = payload as { operation?: string; pull?: { status: string } };
        if (!ctx.json && event === 'mirror.progress' && p.pull && p.pull.status !== last)
          ctx.io.err(`pulling ${ctx.settings.image}: ${(last = p.pull.status)}`);
      });
      ctx.print(`${action}: ${statusLine(status)}`, {
        action,
        status,
        ...(status.mode ? { mode: status.mode } : {}),
      });
      return upResult(action, status, ctx.values['no-wait'] === true);
    },
  },
  {
    name: 'watch',
    summary: 'keep the mirror serving: offline while the upstream is unreachable, back after faults',
    options: WATCH_OPTIONS,
    optionHelp: [
      PROBE_URL_HELP,
      '--interval S        seconds between probes of the upstream (default 5)',
      '--no-recreate       restart a stopped mirror, but do not recreate a removed one',
      '--quota SIZE        prune the least recently pulled repositories while the cache is over SIZE',
    ],
    run: (ctx) => keepMirror(ctx, 'watch'),
  },
  {
    name: 'keep',
    summary: 'the background keeper `up` leaves (as watch, detached; `down` stops it)',
    options: { ...WATCH_OPTIONS, offline: { type: 'boolean', default: false } },
    run: (ctx) => keepMirror(ctx, 'keeper'),
  },
  {
    name: 'down',
    owner: 'displaces',
    summary: 'stop the mirror and its background keeper (the container and the cache stay)',
    async run(ctx) {
      const stopped = await (await ctx.mirror()).down();
      ctx.print(stopped ? 'stopped' : 'already stopped', { stopped });
      return EXIT.ok;
    },
    async viaOwner(ctx, call) {
      const { stopped } = await call('mirror.down', undefined);
      ctx.print(stopped ? 'stopped' : 'already stopped', { stopped });
      return EXIT.ok;
    },
  },
  {
    name: 'restart',
    owner: 'drives',
    summary: 'restart the mirror',
    async run(ctx) {
      const status = await (await ctx.mirror()).restart();
      ctx.print(statusLine(status), { status });
      return exitForState(status.state);
    },
    async viaOwner(ctx, call) {
      const status = await call('mirror.restart', undefined);
      ctx.print(statusLine(status), { status });
      return exitForState(status.state);
    },
  },
  {
    name: 'rm',
    owner: 'displaces',
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
    owner: 'reads',
    summary: "show the mirror's state",
    async run(ctx) {
      await ctx.engine();
      const status = await statusInMode((mode) => ctx.mirrorSync(mode));
      ctx.print(statusLine(status), status);
      return exitForState(status.state);
    },
    async viaOwner(ctx, call) {
      const status = await call('mirror.status', undefined);
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
