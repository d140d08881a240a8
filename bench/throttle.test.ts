// The throttle is the benchmark's instrument: check its schedule by arithmetic and its bytes end to end.
import { connect, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Link, startThrottle } from './throttle.js';

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

  it('delivers every byte through the proxy and counts what went down', async () => {
    // Distinct bytes everywhere, so a reordered or dropped chunk cannot go unnoticed.
    const payload = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251));
    const origin = createServer((s) => s.once('data', () => s.end(payload)));
    await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
    const port = (origin.address() as { port: number }).port;
    const t = await startThrottle({
      listenHost: '127.0.0.1',
      targetHost: '127.0.0.1',
      targetPort: port,
      bitsPerSecond: 200e6,
      rttMs: 4,
    });
    try {
      const got = await new Promise<Buffer>((resolve, reject) => {
        const parts: Buffer[] = [];
        const c = connect(t.port, '127.0.0.1', () => c.write('go'));
        c.on('data', (d) => parts.push(d));
        c.on('end', () => resolve(Buffer.concat(parts)));
        c.on('error', reject);
      });
      expect(got.equals(payload)).toBe(true);
      expect(t.bytesDown()).toBe(payload.length);
    } finally {
      await t.close();
      origin.close();
    }
  });
});
