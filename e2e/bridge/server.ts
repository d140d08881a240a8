// The browser bridge: the app's core, built by the same composition root as the menu-bar app
// (app/core/compose.ts) with plain adapters (a JSON settings file, credentials in memory, notices to
// the log), behind HTTP and a WebSocket on 127.0.0.1, so the React UI runs in a plain browser against a
// real Docker engine (the test bed in tests, any engine in development). It serves the built renderer
// with the app's CSP and speaks the contract: every call runs through the core's own dispatch (input
// and output checked against their schemas, as main does over IPC), every event is checked too.
// Nothing here is a second implementation of what the core does.
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Result } from '../../app/contract/envelope.js';
import { eventChannel, isCallName } from '../../app/contract/names.js';
import type { CredentialsState } from '../../app/contract/values.js';
import type { DetectOptions } from '../../app/configure/engines/detect.js';
import { composeCore, type Core, type CoreEventListener } from '../../app/core/compose.js';
import { checkedEvent } from '../../app/core/dispatch.js';
import { settingsFileAt } from '../../app/core/settings.js';
import type { MirrorSettings, UpstreamCredentials } from '../../app/mirror/settings.js';
import type { ProbeResult } from '../../app/mirror/upstream-probe.js';
import type { ServiceLogger } from '../../app/service/types.js';
import { CONTENT_SECURITY_POLICY } from '../../app/shell/csp.js';

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
  /** the core the page talks to, as composeCore built it */
  core: Core;
  mirror: Core['mirror'];
  cache: Core['cache'];
  engines: Core['engines'];
  settings: Core['settings'];
  /** stops serving and watching; the mirror container keeps running, as when the app quits */
  close(): Promise<void>;
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
  const core = await composeCore({
    settingsFile: settingsFileAt(join(o.home, 'settings.json')),
    vault: new MemoryVault(),
    // A browser tab has no system notifications: the log says what the app would have shown.
    notify: (n) => log.warn(`notice: ${n.title}`, { message: n.message }),
    log,
    env: { ...o.env, DRPC_HOME: o.home },
    platform: process.platform,
    // Engines are looked for in the bridge's home, never the user's; docker-machine is left out.
    detect: () => ({ home: o.home, dockerMachine: null, ...o.detect?.() }),
    ...(o.probeUpstream ? { probeUpstream: o.probeUpstream } : {}),
    ...(o.mirror ? { settingsOverride: { mirror: o.mirror } } : {}),
    // Shorter than the app's, so the UI journeys see changes sooner.
    tuning: {
      monitorIntervalMs: o.monitorIntervalMs ?? 3000,
      pullQuietMs: 300,
      upstreamIntervalMs: 15_000,
      ...(o.verifyTimeoutMs ? { verifyTimeoutMs: o.verifyTimeoutMs } : {}),
    },
    // A browser tab opens nothing at login, has no second window, and is not quit from the page: the
    // core's defaults (the preference saved, nothing opened, nothing quit).
  });

  const sockets = new Set<WebSocket>();
  const send: CoreEventListener = (name, payload) => {
    const checked = checkedEvent(name, payload, log);
    if (checked === undefined) return;
    const text = JSON.stringify({ t: 'event', channel: eventChannel(name), payload: checked });
    for (const s of sockets) if (s.readyState === s.OPEN) s.send(text);
  };
  core.events.subscribe(send);
  await core.start();

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
      ? await core.call(name, msg.input)
      : { ok: false, error: { code: 'INVALID_INPUT', message: `unknown call ${name || msg.channel}` } };
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'reply', id: msg.id, result }));
  }

  await new Promise<void>((resolve) => server.listen(o.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the bridge did not get a port');
  origin = `http://127.0.0.1:${address.port}`;

  return {
    url: `${origin}/`,
    core,
    mirror: core.mirror,
    cache: core.cache,
    engines: core.engines,
    settings: core.settings,
    async close() {
      await core.dispose();
      for (const s of sockets) s.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
