// The owner as a process of its own: `drpc watch` in the foreground, and the background keeper `drpc up`
// leaves behind (`drpc keep`). The same core as the app (MirrorService with its keeper, CacheRuntime),
// holding the lock, answering the CLI on the owner's socket, until it is stopped or hands over.
import { join } from 'node:path';
import { enforceQuota } from '../cache/quota.js';
import type { CacheProgress, KeeperEvent, Progress } from '../contract/values.js';
import type { MirrorMode } from '../mirror/registry-config.js';
import type { MirrorSettings, UpstreamCredentials } from '../mirror/settings.js';
import { probeUpstream } from '../mirror/upstream-probe.js';
import { CacheRuntime } from '../service/cache-runtime.js';
import { CacheHistory } from '../service/history.js';
import { MirrorService, realEngine } from '../service/mirror-service.js';
import type { Handlers, ServiceLogger } from '../service/types.js';
import { jsonFileStore } from '../settings/json-file.js';
import { AppError, messageOf } from '../util/errors.js';
import { formatBytes } from '../util/format.js';
import { askHandover } from './client.js';
import {
  acquireOwnerLock,
  describeOwner,
  readOwner,
  tryAcquire,
  type OwnerLock,
  type OwnerRecord,
  type OwnerRole,
} from './lock.js';
import type { OwnerCall } from './protocol.js';
import { startOwnerServer, type OwnerEventSink } from './server.js';

/** The calls the CLI sends, over the core's services (the app passes its createHandlers instead). */
export function ownerHandlers(
  mirror: Pick<MirrorService, 'refresh' | 'up' | 'down' | 'restart'>,
  cache: Pick<CacheRuntime, 'plan' | 'prune' | 'reset'>,
): Pick<Handlers, OwnerCall> {
  return {
    'mirror.status': () => mirror.refresh(),
    'mirror.up': () => mirror.up(),
    'mirror.down': () => mirror.down(),
    'mirror.restart': () => mirror.restart(),
    'cache.plan': (input) => cache.plan(input.selection),
    'cache.prune': (input) => cache.prune(input.planId),
    'cache.reset': (input) => cache.reset(input.confirmation),
  };
}

/** The core's progress events, for startOwnerServer's `subscribe`. */
export function ownerEvents(
  mirror: MirrorService,
  cache: CacheRuntime,
): (send: OwnerEventSink) => () => void {
  return (send) => {
    const progress = (p: Progress) => send('mirror.progress', p);
    const cacheProgress = (p: CacheProgress) => send('cache.progress', p);
    const keeper = (e: KeeperEvent) => send('mirror.keeper', e);
    mirror.on('progress', progress);
    mirror.on('keeper', keeper);
    cache.on('progress', cacheProgress);
    return () => {
      mirror.off('progress', progress);
      mirror.off('keeper', keeper);
      cache.off('progress', cacheProgress);
    };
  };
}

/**
 * Takes the lock as the mirror's long-lived owner: a background keeper or a `drpc watch` holding it is
 * asked to hand over (then it exits); a CLI command holding it is waited for; another app or watch
 * means this one is not needed, said as an error.
 */
export async function takeOwnership(
  home: string,
  role: Exclude<OwnerRole, 'cli'>,
  onWait?: (holder: OwnerRecord) => void,
): Promise<OwnerLock> {
  for (;;) {
    const r = await tryAcquire(home, { role });
    if (r.lock) return r.lock;
    const h = r.holder;
    if (h.role === 'cli') return acquireOwnerLock(home, { role }, onWait ? { onWait } : {});
    if (h.role === 'keeper' || (role === 'app' && h.role === 'watch')) {
      await displace(home, h);
      continue;
    }
    throw new AppError('INVALID_INPUT', `${describeOwner(h)} already keeps the mirror`);
  }
}

/** Asks the owner to hand over and waits until its process is gone (a keeper exits after it). */
export async function displace(home: string, holder: OwnerRecord, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await askHandover(home);
      break;
    } catch (err) {
      // Starting: it holds the lock before it listens.
      if (Date.now() > deadline) throw err;
      if ((await readOwner(home))?.pid !== holder.pid) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  while (Date.now() < deadline && isRunning(holder.pid)) await new Promise((r) => setTimeout(r, 50));
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface OwnerProcessOptions {
  role: 'watch' | 'keeper';
  /** the app's home: settings, state files, the lock and the socket */
  home: string;
  env: NodeJS.ProcessEnv;
  settings: MirrorSettings;
  credentials: UpstreamCredentials | null;
  /** how this machine reaches the upstream, when not by its URL (see upstreamProbe) */
  probeUrl?: string;
  probeIntervalMs?: number;
  /** the user chose this mode (`drpc up --offline`): kept, not switched by the probes */
  mode?: MirrorMode;
  /** enforce a quota every minute (watch --quota) */
  quotaBytes?: number | null;
  /** what it does, for people: watch prints it, the keeper writes its log */
  report: (event: string, data: Record<string, unknown>) => void;
  /** resolves when it should stop (Ctrl-C, SIGTERM) */
  until: Promise<void>;
}

/** Runs until stopped, handed over, or its lock is gone (its home deleted); says which. */
export async function runOwner(o: OwnerProcessOptions): Promise<'stopped' | 'handed-over' | 'lock-lost'> {
  const lock =
    o.role === 'keeper'
      ? // The `up` that started it holds the lock until the mirror serves; then it is the keeper's.
        await acquireOwnerLock(o.home, { role: 'keeper' })
      : await takeOwnership(o.home, 'watch', (h) =>
          o.report('waiting', { message: `waiting for ${describeOwner(h)} to finish` }),
        );
  const log: ServiceLogger = {
    info: (message, fields) => o.report('info', { message, ...fields }),
    warn: (message, fields) => o.report('warning', { message, ...fields }),
    error: (message, fields) => o.report('error', { message, ...fields }),
  };
  const mirror = new MirrorService({
    build: realEngine(o.env, 2000, o.home, {
      ...(o.probeUrl ? { probe: () => probeUpstream(o.probeUrl!, 3000) } : {}),
      ...(o.probeIntervalMs ? { probeIntervalMs: o.probeIntervalMs } : {}),
      ...(o.mode ? { mode: o.mode } : {}),
    }),
    credentials: async () => o.credentials,
    log,
    // It runs because the user asked for a kept mirror: bring it back whatever happened before.
    wanted: 'running',
  });
  const cache = new CacheRuntime({
    mirror,
    history: new CacheHistory(jsonFileStore(join(o.home, 'cache-history.json'))),
    log,
  });
  mirror.on('status', (s) => o.report('status', { state: s.state, message: s.message }));
  mirror.on('keeper', (e) => {
    if (e.kind === 'mode') o.report('mode', { mode: e.mode, message: e.message });
    else if (e.kind === 'recovered')
      o.report('recovered', {
        action: e.action,
        from: e.from,
        ms: e.ms,
        message: `${e.action} after ${e.from} in ${e.ms} ms`,
      });
    else o.report('error', { message: e.message });
  });
  let done!: (why: 'stopped' | 'handed-over' | 'lock-lost') => void;
  const finished = new Promise<'stopped' | 'handed-over' | 'lock-lost'>((r) => (done = r));
  void o.until.then(() => done('stopped'));
  await mirror.configure(o.settings);
  const server = await startOwnerServer({
    home: o.home,
    handlers: ownerHandlers(mirror, cache),
    lock,
    subscribe: ownerEvents(mirror, cache),
    log,
    onHandover: async () => {
      await mirror.close();
      done('handed-over');
    },
  });
  o.report('owner', { message: `keeping the mirror (${o.role}, pid ${process.pid})` });
  let quotaTimer: NodeJS.Timeout | undefined;
  const quota = o.quotaBytes ?? null;
  if (quota !== null) {
    const check = async () => {
      const r = await mirror
        .exclusive('prune', async (h) => (h.cache ? enforceQuota(h.cache, quota) : undefined))
        .catch((e: unknown) => (o.report('error', { message: messageOf(e) }), undefined));
      if (r?.result)
        o.report('quota', {
          message: `over ${formatBytes(quota)}: pruned ${r.plan!.repositories.join(', ')}, freed ${formatBytes(r.result.freedBytes)}`,
        });
      quotaTimer = setTimeout(() => void check(), 60_000);
    };
    void check();
  }
  // The home deleted, or the lock broken by hand: nobody can reach this owner any more; it goes.
  const watchdog = setInterval(() => {
    void lock.held().then((held) => {
      if (!held) done('lock-lost');
    });
  }, 2000);
  const why = await finished;
  clearInterval(watchdog);
  if (quotaTimer) clearTimeout(quotaTimer);
  await server.close();
  cache.stop();
  await mirror.close();
  await lock.release();
  return why;
}
