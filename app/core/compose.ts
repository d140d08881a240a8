// The composition root of the core, the one place it is built: settings, notices, the mirror service,
// the cache runtime, the upstream watch, the engines runtime and the contract's call handlers, wired
// together the same way for every front end. A front end differs only in the adapters it injects (the
// menu-bar app: electron-store, the keychain, macOS notifications and its login item; the browser
// bridge: JSON files, a vault in memory and a log) and in what it puts over the core: the app its tray,
// windows and IPC (main/index.ts), the bridge HTTP and a WebSocket (e2e/bridge/server.ts).
import { probeUpstream } from '../mirror/upstream-probe.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallOutput } from '../contract/calls.js';
import type { Result } from '../contract/envelope.js';
import type { EventPayload } from '../contract/events.js';
import type { CallName, EventName } from '../contract/names.js';
import type { Allowance, CredentialsState, LoginItemState, Notice } from '../contract/values.js';
import { isDockerHub, readAllowance } from '../mirror/allowance.js';
import { DockerMachine } from '../configure/machine/cli.js';
import type { DetectOptions } from '../configure/engines/detect.js';
import { EngineUndoStore } from '../configure/undo-store.js';
import type { UpstreamCredentials } from '../mirror/settings.js';
import type { ProbeResult } from '../mirror/upstream-probe.js';
import { CacheRuntime } from '../service/cache-runtime.js';
import { EnginesRuntime } from '../service/engines-runtime.js';
import { createHandlers } from '../service/handlers.js';
import { CacheHistory } from '../service/history.js';
import { MirrorService, realEngine, type BuildEngine } from '../service/mirror-service.js';
import type { Handlers, ServiceLogger } from '../service/types.js';
import { UpstreamWatch } from '../service/upstream.js';
import { applySettingsChange, saveAppSettings, type SettingsChange } from '../settings/app-settings.js';
import { jsonFileStore } from '../settings/json-file.js';
import { defaultPaths } from '../settings/paths.js';
import { shouldStartOnLaunch } from '../shell/notices.js';

import { describeOwner, type OwnerLock } from '../owner/lock.js';
import { ownerEvents, takeOwnership } from '../owner/owner-process.js';
import { startOwnerServer, type OwnerServer } from '../owner/server.js';
import { messageOf } from '../util/errors.js';
import { runCall } from './dispatch.js';
import { Notices } from './notices.js';
import { loadOrReset, SettingsService, type SettingsFile } from './settings.js';

/** The upstream credentials: the keychain in the app (main/secrets.ts), memory in the bridge. */
export interface CredentialStore {
  describe(): Promise<CredentialsState>;
  set(input: UpstreamCredentials): Promise<CredentialsState>;
  clear(): Promise<CredentialsState>;
  /** the credentials in clear, for the mirror container's environment only */
  reveal(): Promise<UpstreamCredentials | null>;
}

/** The system's "open at login" item (Electron's app.setLoginItemSettings in the app). */
export interface LoginItemPort {
  get(): LoginItemState;
  set(openAtLogin: boolean): LoginItemState;
}

/** Intervals a front end may shorten (the bridge does, so the UI journeys see changes sooner). */
export interface CoreTuning {
  /** the status monitor's safety-net timer (engine events drive most updates) */
  monitorIntervalMs?: number;
  /** how long after the last access-log line a pull counts as settled */
  pullQuietMs?: number;
  /** the upstream's slow re-check */
  upstreamIntervalMs?: number;
  /** how long configure waits for an engine to list the mirror */
  verifyTimeoutMs?: number;
}

export interface CoreAdapters {
  /** where the settings live (main/settings-store.ts over electron-store; settingsFileAt for a JSON file) */
  settingsFile: SettingsFile;
  vault: CredentialStore;
  /** shows a warning or an error as a system notification (or writes it to a log) */
  notify(notice: Notice): void;
  log: ServiceLogger;
  /** DOCKER_HOST and friends (how the engine is found), DRPC_HOME, HOME */
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** how a mirror engine is built for some settings (default: the real Docker engine) */
  buildEngine?: BuildEngine;
  /**
   * how Docker Hub's pull allowance is read (default: a HEAD from this machine, see
   * app/mirror/allowance.ts; none when probeUpstream is given and this is not: a front end that
   * probes its own way reads the allowance its own way too)
   */
  readAllowance?: (url: string) => Promise<Allowance | undefined>;
  /** how the upstream is probed (default: GET /v2/ from this machine) */
  probeUpstream?: (url: string) => Promise<ProbeResult>;
  /** where engines are looked for, over this machine's defaults */
  detect?: () => Partial<DetectOptions>;
  /** absent: only the preference is saved (a browser cannot open anything at login) */
  loginItem?: LoginItemPort;
  /** absent: nothing to open (a single page) */
  openDashboard?: () => void;
  /** absent: the front end is not quit through the contract */
  quit?: (stopMirror?: boolean) => void;
  /** applied over the saved settings at start, and saved (as the CLI's flags are) */
  settingsOverride?: SettingsChange;
  tuning?: CoreTuning;
  now?: () => Date;
  /**
   * false: this core does not take the owner lock nor answer the CLI (a test building several cores
   * in one home). Default: it owns the mirror from start() until dispose(), as the app must: a keeper
   * or `drpc watch` hands over, a running CLI command is waited for, and `drpc` commands are sent here.
   */
  ownsMirror?: boolean;
}

export type CoreEventListener = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

export interface CoreEvents {
  /** Every contract event from now on (payloads unchecked: each front end checks what it sends). */
  subscribe(listener: CoreEventListener): () => void;
}

export type Core = Awaited<ReturnType<typeof composeCore>>;

/**
 * Builds the core; nothing runs until start(). Front ends subscribe to `events` and add their own
 * listeners first, then call start() once (and launch() when they are the app starting up).
 */
export async function composeCore(a: CoreAdapters) {
  const { env, platform, log } = a;
  // The app's state files (cache-history.json, access and stats) are where the CLI keeps them.
  const stateDir = defaultPaths(env, platform).configDir;
  const tuning = a.tuning ?? {};

  const loaded = await loadOrReset(a.settingsFile, log, { env, ...(a.now ? { now: a.now } : {}) });
  let initial = loaded.settings;
  if (a.settingsOverride) {
    initial = applySettingsChange(initial, a.settingsOverride);
    await saveAppSettings(a.settingsFile, initial);
  }
  const settings = new SettingsService(a.settingsFile, initial);
  const notices = new Notices({ notify: (n) => a.notify(n), ...(a.now ? { now: a.now } : {}) });
  const mirror = new MirrorService({
    // The keeper probes the upstream through the UpstreamWatch: one probe for the mode and the header.
    build:
      a.buildEngine ?? realEngine(env, tuning.monitorIntervalMs, stateDir, { probe: () => upstream.check() }),
    credentials: () =>
      a.vault.reveal().catch((err: unknown) => {
        notices.raise({
          kind: 'operation-failed',
          level: 'error',
          title: 'Credentials unavailable',
          message: messageOf(err),
        });
        return null;
      }),
    log,
  });
  const cache = new CacheRuntime({
    mirror,
    history: new CacheHistory(jsonFileStore(join(stateDir, 'cache-history.json'))),
    log,
    onUsage: (bytes) => notices.reportCacheUsage(bytes, settings.current.app.quotaBytes),
    ...(tuning.pullQuietMs !== undefined ? { pullQuietMs: tuning.pullQuietMs } : {}),
  });
  const allowance =
    a.readAllowance ??
    (a.probeUpstream
      ? undefined
      : async (url: string) =>
          // Only Docker Hub has an allowance to read: another upstream is never sent these requests.
          isDockerHub(url)
            ? readAllowance(url, { credentials: await a.vault.reveal().catch(() => null) })
            : undefined);
  const upstream = new UpstreamWatch({
    url: () => settings.current.mirror.upstreamUrl,
    // The default probe trusts the upstream's CA as the mirror does (a team mirror behind a private CA).
    probe:
      a.probeUpstream ??
      (async (url) => {
        const file = settings.current.mirror.upstreamCaFile;
        const ca = file ? await readFile(file, 'utf8').catch(() => undefined) : undefined;
        return probeUpstream(url, 3000, ca, await a.vault.reveal().catch(() => null));
      }),
    ...(allowance
      ? {
          allowance,
          onAllowanceError: (err: unknown) =>
            log.info("could not read Docker Hub's pull allowance", { message: messageOf(err) }),
        }
      : {}),
    ...(tuning.upstreamIntervalMs !== undefined ? { intervalMs: tuning.upstreamIntervalMs } : {}),
  });
  const engines = new EnginesRuntime({
    detectOptions: async () => ({
      mirrorUrl: mirror.current?.mirrorUrl ?? `http://localhost:${settings.current.mirror.port}`,
      port: settings.current.mirror.port,
      env,
      ...(env.HOME ? { home: env.HOME } : {}),
      platform,
      dockerMachine: new DockerMachine({ env }),
      ...a.detect?.(),
    }),
    // The undo records live in the settings file, where the CLI keeps them too.
    undo: new EngineUndoStore(a.settingsFile),
    settings: () => settings.current.mirror,
    credentials: () => a.vault.reveal().catch(() => null),
    ...(tuning.verifyTimeoutMs !== undefined ? { verifyTimeoutMs: tuning.verifyTimeoutMs } : {}),
  });

  const preferenceOnly = (openAtLogin: boolean): LoginItemState => ({
    openAtLogin,
    status: 'unsupported',
    message: 'Opening at login is set by the macOS app; here only the preference is saved.',
  });
  const loginItem = {
    get: (): LoginItemState => a.loginItem?.get() ?? preferenceOnly(settings.current.app.startAtLogin),
    async set(openAtLogin: boolean): Promise<LoginItemState> {
      // The preference first: when it cannot be saved, nothing changes.
      if (settings.current.app.startAtLogin !== openAtLogin)
        await settings.update({ app: { startAtLogin: openAtLogin } });
      const state = a.loginItem?.set(openAtLogin) ?? preferenceOnly(openAtLogin);
      if (state.status === 'requires-approval') {
        notices.raise({
          kind: 'login-item-approval',
          level: 'info',
          title: 'Approve opening at login',
          message: state.message,
        });
      }
      return state;
    },
  };

  const handlers: Handlers = createHandlers({
    mirror,
    settings,
    credentials: a.vault,
    credentialsChanged: () => mirror.configure(settings.current.mirror),
    loginItem,
    openDashboard: () => a.openDashboard?.(),
    quit: (stopMirror) => a.quit?.(stopMirror),
    notices,
    cache,
    upstream,
    engines,
  });

  const listeners = new Set<CoreEventListener>();
  const emit: CoreEventListener = (name, payload) => {
    for (const listener of listeners) {
      try {
        listener(name, payload);
      } catch (err) {
        // One front end's failure to send must not keep the event from the others.
        log.error(`a listener of ${name} failed`, { message: messageOf(err) });
      }
    }
  };
  mirror.on('status', (status) => {
    notices.observeStatus(status, mirror.userInitiated);
    emit('mirror.status', status);
  });
  mirror.on('operation', (operation) => emit('mirror.operation', operation));
  mirror.on('progress', (progress) => emit('mirror.progress', progress));
  mirror.on('keeper', (event) => emit('mirror.keeper', event));
  notices.on('notice', (notice) => emit('notice', notice));
  cache.on('progress', (progress) => emit('cache.progress', progress));
  cache.on('changed', (change) => emit('cache.changed', change));
  upstream.on('change', (state) => {
    notices.reportAllowance(state.allowance);
    emit('upstream.status', state);
  });
  engines.on('step', (step) => emit('engines.step', step));
  settings.on('changed', (next, prev) => {
    emit('settings.changed', next);
    if (JSON.stringify(next.mirror) !== JSON.stringify(prev.mirror)) void mirror.configure(next.mirror);
    if (next.mirror.upstreamUrl !== prev.mirror.upstreamUrl) void upstream.check();
  });

  let started = false;
  let ownerLock: OwnerLock | undefined;
  let ownerServer: OwnerServer | undefined;
  return {
    settings,
    notices,
    mirror,
    cache,
    upstream,
    engines,
    /** the preference and the system's item together, as the contract's app.loginItem calls use them */
    loginItem,
    /** one function per contract call, the same for every front end (no input checks: see call) */
    handlers,
    /** a contract call as a front end receives it: input checked, handler run, output checked */
    call: <N extends CallName>(name: N, input: unknown): Promise<Result<CallOutput<N>>> =>
      runCall(name, handlers[name], input, log),
    events: {
      subscribe(listener: CoreEventListener) {
        listeners.add(listener);
        return () => void listeners.delete(listener);
      },
    } satisfies CoreEvents,
    /** Applies the settings to the mirror and starts watching the cache and the upstream. */
    async start(): Promise<void> {
      if (started) return;
      started = true;
      if (loaded.notice) notices.raise(loaded.notice);
      // One owner of the mirror: the lock before anything touches the container (startup.ts's sequence
      // then runs here, in MirrorService), and the socket the CLI's commands come through.
      if (a.ownsMirror !== false) {
        ownerLock = await takeOwnership(stateDir, 'app', (holder) =>
          log.info(`waiting for ${describeOwner(holder)} to finish`),
        );
        ownerServer = await startOwnerServer({
          home: stateDir,
          handlers,
          lock: ownerLock,
          subscribe: ownerEvents(mirror, cache),
          log,
        });
      }
      await mirror.configure(settings.current.mirror);
      cache.start();
      upstream.start();
    },
    /** The app starting up: the mirror is started when the settings ask for it and it is not running. */
    async launch(): Promise<void> {
      const status = await mirror.refresh();
      if (shouldStartOnLaunch(status, settings.current.app.startMirrorOnLaunch)) await mirror.up();
    },
    /**
     * Stops watching and lets go of the mirror (the socket closes after the calls it is answering, then
     * the lock); the mirror container keeps running, as when the app quits.
     */
    async dispose(): Promise<void> {
      listeners.clear();
      cache.stop();
      upstream.stop();
      mirror.dispose();
      const server = ownerServer;
      const lock = ownerLock;
      ownerServer = undefined;
      ownerLock = undefined;
      await server
        ?.close()
        .catch((err: unknown) => log.warn('closing the owner socket failed', { message: messageOf(err) }));
      await lock
        ?.release()
        .catch((err: unknown) => log.warn('releasing the owner lock failed', { message: messageOf(err) }));
    },
  };
}
