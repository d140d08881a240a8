// A TCP proxy that behaves like a slow link: fixed one-way delay and a shared bandwidth cap on the
// downstream direction (what a pull receives). Stands between the mirror and the stand-in Docker Hub.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface ThrottleOptions {
  listenHost: string;
  listenPort?: number;
  targetHost: string;
  targetPort: number;
  /** bits per second, shared by all connections (one link) */
  bitsPerSecond: number;
  /** round-trip time; half is added in each direction */
  rttMs: number;
}

export interface Throttle {
  port: number;
  bytesDown: () => number;
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
  const queue: Array<{ at: number; chunk: Buffer | null }> = [];
  let queued = 0;
  let timer: NodeJS.Timeout | undefined;
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
    if (queue.length) timer = setTimeout(drain, Math.max(0, queue[0]!.at - performance.now()));
  };
  const push = (chunk: Buffer | null) => {
    queue.push({ at: delayFor(chunk?.length ?? 0), chunk });
    queued += chunk?.length ?? 0;
    // Backpressure: stop reading while a few hundred KB wait for the link.
    if (queued > 256 * 1024) from.pause();
    if (!timer) timer = setTimeout(drain, Math.max(0, queue[0]!.at - performance.now()));
  };
  from.on('data', (chunk: Buffer) => push(chunk));
  from.on('end', () => push(null));
  from.on('error', () => to.destroy());
}

export async function startThrottle(o: ThrottleOptions): Promise<Throttle> {
  const down = new Link(o.bitsPerSecond / 8 / 1000, o.rttMs / 2);
  const up = { releaseTime: (_: number) => performance.now() + o.rttMs / 2 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const target = connect(o.targetPort, o.targetHost);
    sockets.add(client).add(target);
    client.on('close', () => sockets.delete(client));
    target.on('close', () => sockets.delete(target));
    pipeDelayed(client, target, (n) => up.releaseTime(n));
    pipeDelayed(target, client, (n) => down.releaseTime(n));
    target.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(o.listenPort ?? 0, o.listenHost, resolve));
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    bytesDown: () => down.bytes,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
