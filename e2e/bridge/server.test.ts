// The bridge as a server: our page only (Host and Origin), files only from the renderer directory with
// the app's CSP, and the contract's schemas on every call, as main applies them over IPC.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../app/shell/csp.js';
import { call, connect as connectTo } from './client.js';
import { startBridge, type Bridge } from './server.js';

const connect = (origin: string) => connectTo(bridge.url, origin);

let work: string;
let bridge: Bridge;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'drpc-bridge-'));
  const rendererDir = join(work, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>ui</title>');
  writeFileSync(join(work, 'secret.txt'), 'not for the page');
  bridge = await startBridge({
    home: join(work, 'home'),
    // No engine: the contract still answers (the mirror reports Docker unreachable).
    env: { DOCKER_HOST: `unix://${join(work, 'no-docker.sock')}` },
    mirror: { dataDir: join(work, 'mirror') },
    rendererDir,
    probeUpstream: async () => ({ reachable: true, ms: 0 }),
  });
});
afterAll(async () => {
  await bridge?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the browser bridge', () => {
  it('serves the renderer with the CSP, and nothing outside it', async () => {
    const page = await fetch(bridge.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect((await fetch(`${bridge.url}..%2Fsecret.txt`)).status).toBe(404);
    expect((await fetch(`${bridge.url}missing.js`)).status).toBe(404);
  });

  it('refuses another host name (DNS rebinding) and a WebSocket from another origin', async () => {
    const port = new URL(bridge.url).port;
    const status = await new Promise<number>((resolve) =>
      request({ host: '127.0.0.1', port, path: '/', headers: { Host: `evil.example:${port}` } }, (res) =>
        resolve(res.statusCode ?? 0),
      ).end(),
    );
    expect(status).toBe(403);
    await expect(connect('https://evil.example')).rejects.toThrow(/403/);
  });

  it('checks every input against the call’s schema and answers in the envelope', async () => {
    const ws = await connect(bridge.url.slice(0, -1));
    try {
      expect(await call(ws, 'drpc:call:settings.update', { mirror: { port: 70000 } })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT', issues: [{ path: 'mirror.port' }] },
      });
      expect(await call(ws, 'drpc:call:shell.exec', { cmd: 'id' })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT' },
      });
      expect(await call(ws, 'drpc:call:cache.prune', { planId: '../../etc' })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT' },
      });
      expect(await call(ws, 'drpc:call:cache.reset', { confirmation: 'yes' })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT' },
      });
      const status = await call(ws, 'drpc:call:mirror.status');
      expect(status).toMatchObject({ ok: true, value: { state: 'engine-unreachable' } });
    } finally {
      ws.close();
    }
  });

  it('sends events to the page, checked against their schemas', async () => {
    const ws = await connect(bridge.url.slice(0, -1));
    try {
      const changed = new Promise<unknown>((resolve) =>
        ws.on('message', (data) => {
          const msg = JSON.parse(String(data)) as { t: string; channel?: string; payload?: unknown };
          if (msg.t === 'event' && msg.channel === 'drpc:event:settings.changed') resolve(msg.payload);
        }),
      );
      expect(
        await call(ws, 'drpc:call:settings.update', { app: { startMirrorOnLaunch: true } }),
      ).toMatchObject({ ok: true });
      expect(await changed).toMatchObject({ app: { startMirrorOnLaunch: true } });
    } finally {
      ws.close();
    }
  });
});
