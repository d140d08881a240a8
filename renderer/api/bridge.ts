// The browser bridge transport: the same DrpcApi the preload exposes, over a WebSocket to the bridge
// server (e2e/bridge) on this page's own origin. Used only when there is no preload (window.drpc).
import { createDrpcApi, type DrpcApi, type Transport } from '../../app/contract/api.js';

/** Messages on the socket. Calls carry an id; the bridge answers each with the same id. */
export type ClientMessage = { t: 'call'; id: number; channel: string; input: unknown };
export type ServerMessage =
  { t: 'reply'; id: number; result: unknown } | { t: 'event'; channel: string; payload: unknown };

export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (e: { data: unknown }) => void): void;
}

const OPEN = 1;

/**
 * A transport that reconnects after the bridge goes away (a restart during development) and fails the
 * calls in flight, so the UI shows an error instead of waiting forever.
 */
export function bridgeTransport(
  url: string,
  connect: (url: string) => SocketLike = (u) => new WebSocket(u),
  retryMs = 1000,
): Transport {
  let socket: SocketLike | undefined;
  let ready: Promise<SocketLike> | undefined;
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();

  const open = (): Promise<SocketLike> => {
    ready ??= new Promise<SocketLike>((resolve, reject) => {
      const s = connect(url);
      socket = s;
      s.addEventListener('open', () => resolve(s));
      s.addEventListener('message', (e) => receive(e.data));
      s.addEventListener('close', () => {
        ready = undefined;
        socket = undefined;
        for (const p of pending.values()) p.reject(new Error('the connection to the app was lost'));
        pending.clear();
        reject(new Error('cannot reach the app'));
        // Events only arrive on an open socket: reconnect while someone listens.
        if (listeners.size) setTimeout(() => void open().catch(() => {}), retryMs);
      });
    });
    return ready;
  };

  const receive = (data: unknown) => {
    let msg: ServerMessage;
    try {
      msg = JSON.parse(String(data)) as ServerMessage;
    } catch {
      return;
    }
    if (msg.t === 'reply') {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      p?.resolve(msg.result);
    } else if (msg.t === 'event') {
      for (const l of listeners.get(msg.channel) ?? []) l(msg.payload);
    }
  };

  return {
    async invoke(channel, input) {
      const s = socket?.readyState === OPEN ? socket : await open();
      const id = nextId++;
      const reply = new Promise<unknown>((resolve, reject) => pending.set(id, { resolve, reject }));
      s.send(JSON.stringify({ t: 'call', id, channel, input } satisfies ClientMessage));
      return reply;
    },
    subscribe(channel, listener) {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      void open().catch(() => {});
      return () => {
        set.delete(listener);
        if (!set.size) listeners.delete(channel);
      };
    },
  };
}

/** The API for this page: the preload's when there is one, else the bridge on this origin. */
export function pickApi(win: { drpc?: DrpcApi; location: { protocol: string; host: string } }): DrpcApi {
  if (win.drpc) return win.drpc;
  const scheme = win.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return createDrpcApi(bridgeTransport(`${scheme}//${win.location.host}/drpc`));
}
