// The throttle is the benchmark's instrument: its schedule by arithmetic, its bytes end to end, and what
// it delivers measured through it (in its own process, as the benchmark runs it). The measured checks
// are bounds a loaded machine cannot break: load only makes a link slower, so the delivered rate is
// never above the cap (checked against 1.5x the cap) and a round trip never shorter than configured.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Link, startThrottle, type Throttle } from './throttle.js';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

async function withThrottle(
  origin: Server,
  link: { bitsPerSecond: number; upBitsPerSecond?: number; rttMs: number },
  fn: (t: Throttle) => Promise<void>,
): Promise<void> {
  const port = await listen(origin);
  const t = await startThrottle({
    listenHost: '127.0.0.1',
    targetHost: '127.0.0.1',
    targetPort: port,
    ...link,
  });
  try {
    await fn(t);
  } finally {
    await t.close();
    origin.close();
  }
}

/** Opens a connection through the throttle; resolves once the client side is connected. */
function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const c = connect(port, '127.0.0.1', () => resolve(c));
    c.once('error', reject);
  });
}

/** Resolves with the time (performance.now) at which `n` bytes in all have arrived on `s`. */
function received(s: Socket, n: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let got = 0;
    const on = (d: Buffer) => {
      got += d.length;
      if (got >= n) {
        s.off('data', on);
        resolve(performance.now());
      }
    };
    s.on('data', on);
    s.once('error', reject);
  });
}

describe('throttle', () => {
  it('schedules chunks at the link rate plus the one-way delay, shared by all senders', () => {
    let clock = 1000;
    // 8 Mbit/s = 1000 bytes per ms; 20 ms one way.
    const link = new Link(1000, 20, () => clock);
    expect(link.releaseTime(10_000)).toBe(1000 + 10 + 20);
    // A second chunk at the same instant waits for the first to be on the wire.
    expect(link.releaseTime(5_000)).toBe(1000 + 15 + 20);
    clock = 2000; // the link went idle: no queueing delay left
    expect(link.releaseTime(1_000)).toBe(2000 + 1 + 20);
    expect(link.bytes).toBe(16_000);
  });

  it('delivers every byte both ways through its own process and counts each direction', async () => {
    // Distinct bytes everywhere, so a reordered or dropped chunk cannot go unnoticed.
    const down = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251));
    const up = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 104_729) % 241));
    const origin = createServer((s) => {
      const parts: Buffer[] = [];
      let n = 0;
      s.on('data', (d: Buffer) => {
        parts.push(d);
        n += d.length;
        if (n === up.length) {
          // What came up must be exactly what was sent: answer with the payload only then.
          s.end(Buffer.concat(parts).equals(up) ? down : Buffer.from('corrupt'));
        }
      });
    });
    await withThrottle(origin, { bitsPerSecond: 200e6, rttMs: 4 }, async (t) => {
      expect(t.pid).not.toBe(process.pid);
      const got = await new Promise<Buffer>((resolve, reject) => {
        const parts: Buffer[] = [];
        const c = connect(t.port, '127.0.0.1', () => c.write(up));
        c.on('data', (d) => parts.push(d));
        c.on('end', () => resolve(Buffer.concat(parts)));
        c.on('error', reject);
      });
      expect(got.equals(down)).toBe(true);
      expect(await t.bytes()).toEqual({ down: down.length, up: up.length });
      expect(await t.bytesDown()).toBe(down.length);
    });
  });

  it('adds a round trip to the connection set-up and to every exchange after it', async () => {
    const rttMs = 80;
    const echo = createServer((s) => s.on('data', (d) => s.write(d)));
    await withThrottle(echo, { bitsPerSecond: 100e6, rttMs }, async (t) => {
      const t0 = performance.now();
      const c = await open(t.port);
      c.write('a');
      // Set-up (one round trip) and the exchange (another): the first answer needs two.
      const first = (await received(c, 1)) - t0;
      const t1 = performance.now();
      c.write('b');
      const second = (await received(c, 1)) - t1;
      c.destroy();
      console.log(
        `round trips through a ${rttMs} ms link: first ${first.toFixed(1)} ms, then ${second.toFixed(1)} ms`,
      );
      expect(first).toBeGreaterThanOrEqual(2 * rttMs);
      expect(second).toBeGreaterThanOrEqual(rttMs);
    });
  });

  it('never delivers more than its cap in either direction', async () => {
    const rttMs = 20;
    const downBps = 4e6; // 500 bytes per ms
    const upBps = 2e6; // 250 bytes per ms
    const downBytes = 400_000;
    const upBytes = 200_000;
    // The origin answers "down" with downBytes, and acknowledges upBytes received with one byte.
    const origin = createServer((s) => {
      let n = 0;
      s.on('data', (d: Buffer) => {
        if (d[0] === 0x64 && n === 0) return void s.write(Buffer.alloc(downBytes, 7));
        n += d.length;
        if (n >= upBytes) s.write('k');
      });
    });
    await withThrottle(origin, { bitsPerSecond: downBps, upBitsPerSecond: upBps, rttMs }, async (t) => {
      const c = await open(t.port);
      c.write('d');
      const t0 = performance.now();
      const tDown = (await received(c, downBytes)) - t0;
      const c2 = await open(t.port);
      const t1 = performance.now();
      c2.write(Buffer.alloc(upBytes, 9));
      const tUp = (await received(c2, 1)) - t1;
      c.destroy();
      c2.destroy();
      // Each time holds the set-up's round trip, the request's or the answer's: less those two, the
      // transfer alone, or less (a loaded machine only adds time, which lowers the rate).
      const downRate = (downBytes * 8) / ((tDown - 2 * rttMs) / 1000);
      const upRate = (upBytes * 8) / ((tUp - 2 * rttMs) / 1000);
      console.log(
        `delivered: down ${(downRate / 1e6).toFixed(2)} Mbit/s (cap ${downBps / 1e6}), up ${(upRate / 1e6).toFixed(2)} Mbit/s (cap ${upBps / 1e6})`,
      );
      expect(tDown).toBeGreaterThan(2 * rttMs);
      expect(tUp).toBeGreaterThan(2 * rttMs);
      expect(downRate).toBeLessThanOrEqual(1.5 * downBps);
      expect(upRate).toBeLessThanOrEqual(1.5 * upBps);
    });
  });
});
