// The owner's side of the local socket: whoever drives the mirror (the app, `drpc watch`, the background
// keeper) answers the CLI here with the same handlers and schemas the renderer's calls go through, so a
// CLI command never acts behind the owner's back. See protocol.ts for the wire format.
import { chmod, mkdir, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { toCallError, type Result } from '../contract/envelope.js';
import { eventSchemas, type EventPayload } from '../contract/events.js';
import { runCall } from '../core/dispatch.js';
import type { Handler, Handlers, ServiceLogger } from '../service/types.js';
import type { OwnerLock } from './lock.js';
import { ownerSocketPath, requestSchema, type ForwardedEvent, type OwnerCall } from './protocol.js';

export type OwnerEventSink = <E extends ForwardedEvent>(event: E, payload: EventPayload<E>) => void;

export interface OwnerServerOptions {
  /** the app's home (DRPC_HOME / defaultPaths().configDir): where the lock and the socket are */
  home: string;
  /** the core's call handlers (the app passes all of its own; the keeper those of OWNER_CALLS) */
  handlers: Pick<Handlers, OwnerCall>;
  /** the lock this process holds as the owner; a handover releases it */
  lock: OwnerLock;
  /**
   * Connects the core's progress events to the socket: called once with a sink, returns how to
   * disconnect (e.g. `(send) => { mirror.on('progress', p => send('mirror.progress', p)); ... }`).
   */
  subscribe?: (send: OwnerEventSink) => () => void;
  /**
   * Another owner asks to take over (the app starting while the keeper runs): stop keeping the
   * mirror (the container stays as it is); the lock is released right after. Absent: refused.
   */
  onHandover?: () => Promise<void>;
  log?: ServiceLogger;
}

export interface OwnerServer {
  /** where it listens */
  readonly path: string;
  close(): Promise<void>;
}

export async function startOwnerServer(o: OwnerServerOptions): Promise<OwnerServer> {
  const path = ownerSocketPath(o.home);
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  // We hold the lock: a socket file left here is a dead owner's.
  await rm(path, { force: true });
  const active = new Set<(line: string) => void>();
  const unsubscribe = o.subscribe?.((event, payload) => {
    const parsed = eventSchemas[event].payload.safeParse(payload);
    if (!parsed.success) return;
    const line = JSON.stringify({ event, payload: parsed.data });
    for (const write of active) write(line);
  });
  const sockets = new Set<Socket>();
  /** connections whose request is being answered: closing lets them finish */
  const answering = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      answering.delete(socket);
    });
    socket.on('error', () => {});
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const end = buffer.indexOf('\n');
      if (end < 0) return;
      socket.removeAllListeners('data');
      answering.add(socket);
      void answer(socket, buffer.slice(0, end));
    });
  });

  const answer = async (socket: Socket, line: string) => {
    const write = (l: string) => {
      if (!socket.destroyed) socket.write(l + '\n');
    };
    let result: Result<unknown>;
    try {
      const request = requestSchema.parse(JSON.parse(line));
      if ('handover' in request) {
        if (!o.onHandover) {
          result = { ok: false, error: { code: 'FORBIDDEN', message: 'this owner does not hand over' } };
        } else {
          o.log?.info('handing the mirror over');
          await o.onHandover();
          await o.lock.release();
          result = { ok: true, value: null };
        }
      } else {
        active.add(write);
        try {
          result = await invoke(o.handlers, request.call, request.input, o.log);
        } finally {
          active.delete(write);
        }
      }
    } catch (err) {
      result = { ok: false, error: toCallError(err) };
    }
    write(JSON.stringify({ result }));
    socket.end();
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await chmod(path, 0o600);
  return {
    path,
    async close() {
      unsubscribe?.();
      // A call being answered (a prune half-way) finishes and gets its answer; idle connections go.
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const s of sockets) if (!answering.has(s)) s.end();
      await closed;
      await rm(path, { force: true });
    },
  };
}

/** One call, as every front end runs it (app/core/dispatch.ts): input, handler, output through its schema. */
function invoke(
  handlers: Pick<Handlers, OwnerCall>,
  name: OwnerCall,
  raw: unknown,
  log?: ServiceLogger,
): Promise<Result<unknown>> {
  const handler = handlers[name] as Handler<OwnerCall>;
  return runCall(name, handler, raw, log ?? { info: () => {}, warn: () => {}, error: () => {} });
}
