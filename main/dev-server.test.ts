// The dev-server mode (DRPC_RENDERER_URL, unpackaged only): the page Vite really serves, checked
// against the policy main sends for it. The strict policy cannot run it (React Refresh's inline
// script); the dev one can, and only the dev server's origin gets it.
import { fileURLToPath } from 'node:url';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../app/shell/csp.js';
import { policyFor } from './security.js';

const root = fileURLToPath(new URL('../', import.meta.url));
let server: ViteDevServer;
let origin: string;
let html: string;

beforeAll(async () => {
  server = await createServer({
    configFile: `${root}vite.renderer.config.ts`,
    logLevel: 'silent',
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: true },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('no dev server address');
  origin = `http://127.0.0.1:${address.port}`;
  html = await (await fetch(`${origin}/`)).text();
}, 60_000);
afterAll(async () => server?.close());

/** Whether `policy` lets the page run an inline <script> (no nonces or hashes are used here). */
const allowsInlineScripts = (policy: string) => /(^|; )script-src [^;]*'unsafe-inline'/.test(policy);

describe('the renderer served by the Vite dev server', () => {
  it('carries an inline script the strict policy would block, and no CSP meta tag of its own', () => {
    const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].filter(
      ([, attrs, body]) => !/\bsrc=/.test(attrs ?? '') && (body ?? '').trim() !== '',
    );
    expect(inline.length).toBeGreaterThan(0); // React Refresh's preamble
    expect(html).not.toMatch(/http-equiv="Content-Security-Policy"/i);
    expect(allowsInlineScripts(CONTENT_SECURITY_POLICY)).toBe(false);
  });

  it('runs under the policy main sends for the dev server, with its hot-reload socket', () => {
    const policy = policyFor(`${origin}/`, origin);
    expect(allowsInlineScripts(policy)).toBe(true);
    expect(policy).toContain(`connect-src 'self' ${origin.replace('http:', 'ws:')}`);
    expect(policy).toMatch(/style-src 'self' 'unsafe-inline'/);
    // Vite's client, which opens the socket and injects the styles, is served by the same origin.
    expect(html).toContain('/@vite/client');
  });
});
