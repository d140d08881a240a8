import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { canBind, checkPort, nextFreePort } from './ports.js';

const servers: Server[] = [];
async function occupy(host = '127.0.0.1'): Promise<number> {
  const srv = createServer();
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, host, r));
  const a = srv.address();
  return typeof a === 'object' && a ? a.port : 0;
}
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

describe('ports', () => {
  it('sees a held port and offers the next free one', async () => {
    const port = await occupy();
    expect(await canBind(port, '127.0.0.1')).toBe(false);
    const check = await checkPort(port, '127.0.0.1', { platform: 'linux', lookup: async () => 'nginx' });
    expect(check).toEqual({ free: false, heldBy: 'nginx' });
    const next = await nextFreePort(port, '127.0.0.1');
    expect(next).toBeGreaterThan(port);
    expect(await canBind(next!, '127.0.0.1')).toBe(true);
  });

  it('names AirPlay Receiver on macOS and says how to turn it off', async () => {
    const port = await occupy('0.0.0.0');
    const check = await checkPort(port, '127.0.0.1', {
      platform: 'darwin',
      lookup: async () => 'ControlCenter',
    });
    expect(check.free).toBe(false);
    expect(check.heldBy).toBe('macOS AirPlay Receiver');
    expect(check.hint).toMatch(/AirPlay Receiver/);
    // The same holder on Linux is just a process name.
    const linux = await checkPort(port, '0.0.0.0', {
      platform: 'linux',
      lookup: async () => 'ControlCenter',
    });
    expect(linux.heldBy).toBe('ControlCenter');
  });

  it('a free port is free', async () => {
    const port = await occupy();
    // Free once the listener is closed: its callback says so.
    await new Promise((r) => servers.pop()!.close(r));
    expect(await checkPort(port, '127.0.0.1', { platform: 'linux', lookup: async () => undefined })).toEqual({
      free: true,
    });
  });
});
