// A TCP proxy that behaves like a slow link, in a process of its own: a connection is set up after one
// round trip (the TCP handshake across the link), every byte then takes half the round trip each way,
// and each direction has its own bandwidth cap shared by all connections (a full-duplex link: what a
// pull receives, and what it sends). Stands between the mirror and the stand-in Docker Hub.
//
// It runs in a child process (`startThrottle` forks this file), so the benchmark's own event loop
// (dockerode, timers, JSON) never delays the link's timers, and the link never delays the benchmark.
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface ThrottleOptions {
  listenHost: string;
  listenPort?: number;
  targetHost: string;
  targetPort: number;
  /** bits per second towards the client (downstream), shared by all connections */
  bitsPerSecond: number;
  /** bits per second towards the target (upstream), shared by all connections; default bitsPerSecond */
  upBitsPerSecond?: number;
  /** round-trip time: a connection's set-up takes one, and half is added to each byte each way */
  rttMs: number;
}

export interface ThrottleBytes {
  /** bytes sent towards the client (what the target sent) */
  down: number;
  /** bytes sent towards the target (what the client sent) */
  up: number;
}

export interface Throttle {
  port: number;
  /** the child process's pid */
  pid: number;
  bytes: () => Promise<ThrottleBytes>;
  bytesDown: () => Promise<number>;
  close: () => Promise<void>;
}

/** Schedules chunks on a link: each leaves after the delay, and no sooner than the link is free. */
export class Link {
  private freeAt = 0;
  bytes = 0;
  constructor(
    private readonly bytesPerMs: number,
    private readonly delayMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}
  releaseTime(size: number): number {
    const now = this.now();
    const start = Math.max(now, this.freeAt);
    this.freeAt = start + size / this.bytesPerMs;
    this.bytes += size;
    return this.freeAt + this.delayMs;
  }
}

function pipeDelayed(from: Socket, to: Socket, delayFor: (size: number) => number): void {
  // One FIFO per direction, drained by a single timer: separate timers per chunk may fire out of order.
  // A chunk leaves once performance.now() has reached its time: a timer that fires early re-arms.
  const queue: Array<{ at: number; chunk: Buffer | null }> = [];
  let queued = 0;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    timer = setTimeout(drain, Math.max(0, Math.ceil(queue[0]!.at - performance.now())));
  };
  const drain = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length && queue[0]!.at <= now) {
      const { chunk } = queue.shift()!;
      if (chunk === null) to.end();
      else if (!to.destroyed) to.write(chunk);
      queued -= chunk?.length ?? 0;
    }
    if (queued <= 256 * 1024 && from.isPaused()) from.resume();
    if (queue.length) arm();
  };
  const push = (chunk: Buffer | null) => {
    queue.push({ at: delayFor(chunk?.length ?? 0), chunk });
    queued += chunk?.length ?? 0;
    // Backpressure: stop reading while a few hundred KB wait for the link.
    if (queued > 256 * 1024) from.pause();
    if (!timer) arm();
  };
  from.on('data', (chunk: Buffer) => push(chunk));
  from.on('end', () => push(null));
  from.on('error', () => to.destroy());
}

/** The proxy itself, in this process (the child's body; `startThrottle` runs it in a child). */
export async function serveThrottle(
  o: ThrottleOptions,
): Promise<{ port: number; bytes: () => ThrottleBytes; close: () => Promise<void> }> {
  const down = new Link(o.bitsPerSecond / 8 / 1000, o.rttMs / 2);
  const up = new Link((o.upBitsPerSecond ?? o.bitsPerSecond) / 8 / 1000, o.rttMs / 2);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    // The handshake's round trip across the link: nothing the client sends is read before it is over,
    // and the target hears of the connection only then.
    client.pause();
    const setUp = setTimeout(() => {
      if (client.destroyed) return;
      const target = connect(o.targetPort, o.targetHost);
      sockets.add(target);
      target.on('close', () => sockets.delete(target));
      target.on('error', () => client.destroy());
      client.on('close', () => target.destroy());
      pipeDelayed(client, target, (n) => up.releaseTime(n));
      pipeDelayed(target, client, (n) => down.releaseTime(n));
      client.resume();
    }, o.rttMs);
    client.on('close', () => clearTimeout(setUp));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.listenPort ?? 0, o.listenHost, resolve);
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    bytes: () => ({ down: down.bytes, up: up.bytes }),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

type ToChild =
  { type: 'start'; options: ThrottleOptions } | { type: 'bytes'; id: number } | { type: 'close' };
type FromChild =
  | { type: 'ready'; port: number }
  | { type: 'failed'; message: string }
  | ({ type: 'bytes'; id: number } & ThrottleBytes);

const CHILD_FLAG = '--drpc-throttle-child';

/** Forks the proxy into a child process and waits until it listens. */
export async function startThrottle(o: ThrottleOptions): Promise<Throttle> {
  const self = import.meta.url;
  const fromSource = extname(fileURLToPath(self)) === '.ts';
  const child: ChildProcess = fork(fileURLToPath(self), [CHILD_FLAG], {
    execArgv: fromSource ? ['--import', pathToFileURL(createRequire(self).resolve('tsx')).href] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'json',
  });
  const waiting = new Map<number, (b: ThrottleBytes) => void>();
  let nextId = 1;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code, signal) =>
      reject(new Error(`throttle exited (${code ?? signal}) before listening`)),
    );
    child.on('message', (m: FromChild) => {
      if (m.type === 'ready') resolve(m.port);
      else if (m.type === 'failed') reject(new Error(`throttle: ${m.message}`));
      else if (m.type === 'bytes') {
        waiting.get(m.id)?.({ down: m.down, up: m.up });
        waiting.delete(m.id);
      }
    });
    child.send({ type: 'start', options: o } satisfies ToChild);
  }).catch((err: unknown) => {
    child.kill();
    throw err;
  });
  const bytes = () =>
    new Promise<ThrottleBytes>((resolve, reject) => {
      if (!child.connected) return reject(new Error('throttle is not running'));
      const id = nextId++;
      waiting.set(id, resolve);
      child.send({ type: 'bytes', id } satisfies ToChild);
    });
  return {
    port,
    pid: child.pid ?? 0,
    bytes,
    bytesDown: async () => (await bytes()).down,
    async close() {
      if (child.connected) child.send({ type: 'close' } satisfies ToChild);
      else child.kill();
      await exited;
    },
  };
}

/** The child's side: start on the parent's word, answer byte counts, end with the parent. */
function runChild(): void {
  let proxy: Awaited<ReturnType<typeof serveThrottle>> | undefined;
  const send = (m: FromChild) => process.send?.(m);
  process.on('message', (m: ToChild) => {
    if (m.type === 'start') {
      serveThrottle(m.options).then(
        (p) => ((proxy = p), send({ type: 'ready', port: p.port })),
        (err: unknown) => (send({ type: 'failed', message: (err as Error).message }), process.exit(1)),
      );
    } else if (m.type === 'bytes') {
      send({ type: 'bytes', id: m.id, ...(proxy?.bytes() ?? { down: 0, up: 0 }) });
    } else if (m.type === 'close') {
      void (proxy?.close() ?? Promise.resolve()).then(() => process.exit(0));
    }
  });
  // The benchmark ended (or died): the link goes with it.
  process.on('disconnect', () => process.exit(0));
}

if (process.argv.includes(CHILD_FLAG) && process.send) runChild();
