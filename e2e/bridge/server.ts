// The browser bridge: the real core (app/service, the same handlers main registers) behind HTTP and a
// WebSocket on 127.0.0.1, so the React UI runs in a plain browser against a real Docker engine (the
// test bed in tests, any engine in development). It serves the built renderer with the app's CSP and
// speaks the contract: every input is parsed with the call's schema, every output and event with its
// own, exactly as main does over IPC. Nothing here is a second implementation of what a call does.
import { EventEmitter } from 'node:events';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { callSchemas } from '../../app/contract/calls.js';
import { describeZodError, issuesOf, toCallError, type Result } from '../../app/contract/envelope.js';
import { eventSchemas, type EventPayload } from '../../app/contract/events.js';
import { eventChannel, isCallName, type CallName, type EventName } from '../../app/contract/names.js';
import type { CredentialsState, LoginItemState } from '../../app/contract/values.js';
import type { DetectOptions } from '../../app/configure/engines/detect.js';
import { EngineUndoStore } from '../../app/configure/undo-store.js';
import type { ProbeResult } from '../../app/mirror/upstream-probe.js';
import type { MirrorSettings, UpstreamCredentials } from '../../app/mirror/settings.js';
import {
  applySettingsChange,
  loadAppSettings,
  saveAppSettings,
  type AppSettings,
  type SettingsChange,
} from '../../app/settings/app-settings.js';
import { jsonFileStore, type JsonStore } from '../../app/settings/json-file.js';
import { CONTENT_SECURITY_POLICY } from '../../app/shell/csp.js';
import { CacheRuntime } from '../../app/service/cache-runtime.js';
import { EnginesRuntime } from '../../app/service/engines-runtime.js';
import { createHandlers } from '../../app/service/handlers.js';
import { CacheHistory } from '../../app/service/history.js';
import { MirrorService, realEngine } from '../../app/service/mirror-service.js';
import type { Handlers, ServiceLogger } from '../../app/service/types.js';
import { UpstreamWatch } from '../../app/service/upstream.js';
import { messageOf } from '../../app/util/errors.js';
import { Notices } from '../../main/notifications.js';

export interface BridgeOptions {
  /** the app's state directory (settings.json, access.json, stats.json, cache-history.json): DRPC_HOME */
  home: string;
  /** DOCKER_HOST and friends: how the engine is found */
  env: NodeJS.ProcessEnv;
  /** mirror settings to apply over the saved ones at start (and save): port, name, network, … */
  mirror?: Partial<MirrorSettings>;
  /** where engines are looked for, over this machine's defaults (the test bed: its dockerd) */
  detect?: () => Partial<DetectOptions>;
  /** how the upstream is probed (the test bed's upstream is reached at another address from the host) */
  probeUpstream?: (url: string) => Promise<ProbeResult>;
  /** the built renderer (vite.renderer.config.ts) */
  rendererDir: string;
  /** 0: any free port */
  port?: number;
  log?: ServiceLogger;
  /** the status monitor's safety-net timer (events drive most updates) */
  monitorIntervalMs?: number;
  /** how long configure waits for an engine to list the mirror */
  verifyTimeoutMs?: number;
}

export interface Bridge {
  /** http://127.0.0.1:PORT/ */
  url: string;
  mirror: MirrorService;
  cache: CacheRuntime;
  engines: EnginesRuntime;
  settings: BridgeSettings;
  /** stops serving and watching; the mirror container keeps running, as when the app quits */
  close(): Promise<void>;
}

/** The settings in a JSON file, as the CLI keeps them; main's SettingsService does the same over electron-store. */
export class BridgeSettings extends EventEmitter<{ changed: [AppSettings, AppSettings] }> {
  constructor(
    private readonly store: JsonStore,
    private settings: AppSettings,
  ) {
    super();
  }
  get current(): AppSettings {
    return structuredClone(this.settings);
  }
  async update(change: SettingsChange): Promise<AppSettings> {
    const next = applySettingsChange(this.settings, change);
    await saveAppSettings(this.store, next);
    const prev = this.settings;
    this.settings = next;
    this.emit('changed', structuredClone(next), prev);
    return structuredClone(next);
  }
}

/** A browser has no keychain: credentials live in this process only, and are gone when it ends. */
class MemoryVault {
  private creds: UpstreamCredentials | null = null;
  async describe(): Promise<CredentialsState> {
    return { configured: !!this.creds, username: this.creds?.username ?? null };
  }
  async set(c: UpstreamCredentials): Promise<CredentialsState> {
    this.creds = { ...c };
    return this.describe();
  }
  async clear(): Promise<CredentialsState> {
    this.creds = null;
    return this.describe();
  }
  async reveal(): Promise<UpstreamCredentials | null> {
    return this.creds;
  }
}

const quietLog: ServiceLogger = { info() {}, warn() {}, error() {} };

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export async function startBridge(o: BridgeOptions): Promise<Bridge> {
  const log = o.log ?? quietLog;
  const store = jsonFileStore(join(o.home, 'settings.json'));
  const env = { ...o.env, DRPC_HOME: o.home };
  let { settings: initial } = await loadAppSettings(store, env);
  if (o.mirror) {
    initial = applySettingsChange(initial, { mirror: o.mirror });
    await saveAppSettings(store, initial);
  }
  const settings = new BridgeSettings(store, initial);
  const vault = new MemoryVault();
  const notices = new Notices({ notify: () => {} });
  const mirror = new MirrorService({
    // The keeper probes through the UpstreamWatch below, so o.probeUpstream decides the mode too.
    build: realEngine(env, o.monitorIntervalMs ?? 3000, o.home, { probe: () => upstream.check() }),
    credentials: () => vault.reveal(),
    log,
  });
  const cache = new CacheRuntime({
    mirror,
    history: new CacheHistory(jsonFileStore(join(o.home, 'cache-history.json'))),
    log,
    onUsage: (bytes) => notices.reportCacheUsage(bytes, settings.current.app.quotaBytes),
    pullQuietMs: 300,
  });
  const upstream = new UpstreamWatch({
    url: () => settings.current.mirror.upstreamUrl,
    ...(o.probeUpstream ? { probe: o.probeUpstream } : {}),
    intervalMs: 15_000,
  });
  const engines = new EnginesRuntime({
    detectOptions: async () => ({
      mirrorUrl: mirror.current?.mirrorUrl ?? `http://localhost:${settings.current.mirror.port}`,
      port: settings.current.mirror.port,
      env,
      home: o.home,
      dockerMachine: null,
      ...o.detect?.(),
    }),
    undo: new EngineUndoStore(store),
    settings: () => settings.current.mirror,
    credentials: () => vault.reveal(),
    ...(o.verifyTimeoutMs ? { verifyTimeoutMs: o.verifyTimeoutMs } : {}),
  });
  const loginItem = {
    get: (): LoginItemState => ({
      openAtLogin: settings.current.app.startAtLogin,
      status: 'unsupported',
      message: 'Opening at login is set by the macOS app; here only the preference is saved.',
    }),
    async set(openAtLogin: boolean) {
      await settings.update({ app: { startAtLogin: openAtLogin } });
      return loginItem.get();
    },
  };
  const handlers = createHandlers({
    mirror,
    settings,
    credentials: vault,
    credentialsChanged: () => mirror.configure(settings.current.mirror),
    loginItem,
    // A browser tab has no second window, and the bridge is not quit from the page.
    openDashboard: () => {},
    quit: () => {},
    notices,
    cache,
    upstream,
    engines,
  });

  const sockets = new Set<WebSocket>();
  const send = <E extends EventName>(name: E, payload: EventPayload<E>) => {
    const parsed = eventSchemas[name].payload.safeParse(payload);
    if (!parsed.success) {
      log.error(`event ${name} does not match its schema; not sent`, {
        problem: describeZodError(parsed.error),
      });
      return;
    }
    const text = JSON.stringify({ t: 'event', channel: eventChannel(name), payload: parsed.data });
    for (const s of sockets) if (s.readyState === s.OPEN) s.send(text);
  };
  mirror.on('status', (status) => {
    notices.observeStatus(status, mirror.userInitiated);
    send('mirror.status', status);
  });
  mirror.on('operation', (op) => send('mirror.operation', op));
  mirror.on('progress', (p) => send('mirror.progress', p));
  mirror.on('keeper', (e) => send('mirror.keeper', e));
  notices.on('notice', (n) => send('notice', n));
  cache.on('progress', (p) => send('cache.progress', p));
  cache.on('changed', (c) => send('cache.changed', c));
  upstream.on('change', (u) => send('upstream.status', u));
  engines.on('step', (s) => send('engines.step', s));
  settings.on('changed', (next, prev) => {
    send('settings.changed', next);
    if (JSON.stringify(next.mirror) !== JSON.stringify(prev.mirror)) void mirror.configure(next.mirror);
    if (next.mirror.upstreamUrl !== prev.mirror.upstreamUrl) void upstream.check();
  });

  await mirror.configure(settings.current.mirror);
  cache.start();
  upstream.start();

  const server = createServer((req, res) => void serveFile(req, res));
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  let origin = '';
  const allowedHosts = () => {
    const port = new URL(origin).port;
    return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  };

  async function serveFile(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Another host name pointing here (DNS rebinding) gets nothing.
    if (!allowedHosts().has(req.headers.host ?? '')) {
      res.writeHead(403).end();
      return;
    }
    const path = new URL(req.url ?? '/', origin).pathname;
    const rel = path === '/' ? 'index.html' : decodeURIComponent(path.slice(1));
    if (
      req.method !== 'GET' ||
      rel.split('/').some((p) => p === '..' || p.startsWith('.')) ||
      rel.includes('\\')
    ) {
      res.writeHead(404).end();
      return;
    }
    const file = join(o.rendererDir, rel);
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      const body = await readFile(file);
      const ext = rel.slice(rel.lastIndexOf('.'));
      res.writeHead(200, {
        'content-type': TYPES[ext] ?? 'application/octet-stream',
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A WebSocket is not bound by the same-origin policy: only our own page may connect.
    const ok =
      new URL(req.url ?? '/', origin).pathname === '/drpc' &&
      allowedHosts().has(req.headers.host ?? '') &&
      [...allowedHosts()].some((h) => req.headers.origin === `http://${h}`);
    if (!ok) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data) => void onMessage(ws, String(data)));
    });
  });

  async function onMessage(ws: WebSocket, text: string): Promise<void> {
    let msg: { t?: unknown; id?: unknown; channel?: unknown; input?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    if (msg.t !== 'call' || typeof msg.id !== 'number' || typeof msg.channel !== 'string') return;
    const name = msg.channel.startsWith('drpc:call:') ? msg.channel.slice('drpc:call:'.length) : '';
    const result: Result<unknown> = isCallName(name)
      ? await invoke(handlers, name, msg.input, log)
      : { ok: false, error: { code: 'INVALID_INPUT', message: `unknown call ${name || msg.channel}` } };
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'reply', id: msg.id, result }));
  }

  await new Promise<void>((resolve) => server.listen(o.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the bridge did not get a port');
  origin = `http://127.0.0.1:${address.port}`;

  return {
    url: `${origin}/`,
    mirror,
    cache,
    engines,
    settings,
    async close() {
      cache.stop();
      upstream.stop();
      mirror.dispose();
      for (const s of sockets) s.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One call, validated like main's dispatch (main/ipc.ts): input in, handler, output through its schema. */
export async function invoke<N extends CallName>(
  handlers: Handlers,
  name: N,
  raw: unknown,
  log: ServiceLogger,
): Promise<Result<unknown>> {
  const def = callSchemas[name];
  const input = def.input.safeParse(raw);
  if (!input.success) {
    return {
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: describeZodError(input.error),
        issues: issuesOf(input.error) ?? [],
      },
    };
  }
  try {
    const value = await handlers[name](input.data);
    return { ok: true, value: def.output.parse(value) };
  } catch (err) {
    const error = toCallError(err);
    if (error.code === 'INTERNAL') log.error(`call ${name} failed`, { message: messageOf(err) });
    return { ok: false, error };
  }
}
