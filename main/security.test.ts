import { describe, expect, it, vi } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../app/shell/csp.js';
import { isTrustedRendererUrl } from '../app/shell/trusted-url.js';
import { silentLogger } from './log.js';
import {
  guardContents,
  hardenSession,
  isExternalLink,
  policyFor,
  secureWebPreferences,
  type ContentsPort,
} from './security.js';
import {
  clipboard,
  FakeWebContents,
  FakeWebFrameMain,
  resetFakeElectron,
  session,
} from './testing/fake-electron.js';

type Listener = (e: { url: string; preventDefault(): void }) => void;

class FakeContents implements ContentsPort {
  openHandler?: (d: { url: string }) => { action: 'deny' };
  listeners = new Map<string, Listener>();
  setWindowOpenHandler(h: (d: { url: string }) => { action: 'deny' }) {
    this.openHandler = h;
  }
  on(event: string, listener: Listener) {
    this.listeners.set(event, listener);
    return this;
  }
  fire(event: string, url = '') {
    const e = { url, prevented: false, preventDefault: () => (e.prevented = true) };
    this.listeners.get(event)?.(e);
    return e.prevented;
  }
}

const trusted = (url: string) => url === 'file:///app/out/renderer/index.html';

describe('secureWebPreferences', () => {
  it('isolates and sandboxes the renderer with no Node', () => {
    const p = secureWebPreferences('/app/out/preload/preload.cjs', false);
    expect(p).toMatchObject({
      preload: '/app/out/preload/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      disableBlinkFeatures: 'Auxclick',
      devTools: false,
    });
  });
});

describe('guardContents', () => {
  it('denies every new window and opens only https links to known hosts in the browser', () => {
    const c = new FakeContents();
    const openExternal = vi.fn();
    guardContents(c, trusted, openExternal, silentLogger);
    expect(c.openHandler?.({ url: 'https://docs.docker.com/' })).toEqual({ action: 'deny' });
    expect(c.openHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(c.openHandler?.({ url: 'http://example.com/' })).toEqual({ action: 'deny' });
    expect(c.openHandler?.({ url: 'https://phish.example/docs.docker.com' })).toEqual({ action: 'deny' });
    expect(openExternal.mock.calls).toEqual([['https://docs.docker.com/']]);
  });

  it('blocks navigation and redirects away from our page, and every webview', () => {
    const c = new FakeContents();
    guardContents(c, trusted, vi.fn(), silentLogger);
    expect(c.fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(c.fire('will-redirect', 'file:///etc/passwd')).toBe(true);
    expect(c.fire('will-navigate', 'file:///app/out/renderer/index.html')).toBe(false);
    expect(c.fire('will-attach-webview')).toBe(true);
  });
});

describe('hardenSession', () => {
  const ours = 'file:///app/out/renderer/index.html';
  function page(url: string) {
    const c = new FakeWebContents();
    c.mainFrame.url = url;
    return c;
  }
  function harden(devServerOrigin?: string) {
    resetFakeElectron();
    const isTrustedUrl = (url: string) =>
      isTrustedRendererUrl(url, {
        rendererFile: '/app/out/renderer/index.html',
        ...(devServerOrigin ? { devServerUrl: devServerOrigin } : {}),
      });
    hardenSession(session.defaultSession, silentLogger, { isTrustedUrl, devServerOrigin });
    return session.defaultSession;
  }

  it("lets our page's copy buttons write to the clipboard (clipboard-sanitized-write)", async () => {
    harden();
    const c = page(`${ours}#configure`);
    await c.clipboardWriteText('http://localhost:5000');
    expect(clipboard.readText()).toBe('http://localhost:5000');
  });

  it('refuses the clipboard to any other page or to a frame inside ours', async () => {
    harden();
    await expect(page('https://evil.example/').clipboardWriteText('x')).rejects.toThrow(/denied/);
    await expect(page('file:///tmp/other.html').clipboardWriteText('x')).rejects.toThrow(/denied/);
    const c = page(ours);
    const frame = new FakeWebFrameMain(ours, c.mainFrame);
    await expect(c.clipboardWriteText('x', frame)).rejects.toThrow(/denied/);
    expect(clipboard.readText()).toBe('');
  });

  it('denies every other permission request and check, even to our page', async () => {
    const s = harden();
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const cb = vi.fn();
      s.permissionRequestHandler?.(page(ours), permission, cb, { requestingUrl: ours, isMainFrame: true });
      expect(cb).toHaveBeenCalledWith(false);
      expect(s.permissionCheckHandler?.(page(ours), permission, 'file://', { isMainFrame: true })).toBe(
        false,
      );
    }
    expect(
      s.permissionCheckHandler?.(null, 'clipboard-sanitized-write', 'file://', { isMainFrame: true }),
    ).toBe(false);
    expect((s.devicePermissionHandler as () => boolean)()).toBe(false);
  });

  it('sets the strict CSP header over any the server sent', async () => {
    harden();
    const headers = await session.defaultSession.respond('http://localhost:5173/', {
      'content-security-policy': ["script-src 'unsafe-inline'"],
      A: ['1'],
    });
    expect(headers).toEqual({ A: ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });

  it("lets the dev server's page run Vite's inline refresh script, styles and hot-reload socket, and only it", async () => {
    harden('http://localhost:5173');
    const dev = (await session.defaultSession.respond('http://localhost:5173/'))[
      'Content-Security-Policy'
    ]?.[0];
    const directives = new Map(dev?.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives.get('script-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(directives.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(directives.get('connect-src')).toEqual(["'self'", 'ws://localhost:5173']);
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(dev).not.toMatch(/unsafe-eval|https?:|\*/);
    for (const other of ['http://localhost:5174/', 'https://hub.docker.com/', `${ours}`]) {
      expect((await session.defaultSession.respond(other))['Content-Security-Policy']).toEqual([
        CONTENT_SECURITY_POLICY,
      ]);
    }
    expect(policyFor('http://localhost:5173/x.js', undefined)).toBe(CONTENT_SECURITY_POLICY);
  });
});

describe('isExternalLink', () => {
  it('accepts https links to the allowed hosts only', () => {
    expect(isExternalLink('https://hub.docker.com/_/registry')).toBe(true);
    expect(isExternalLink('https://docs.docker.com/docker-hub/mirror/')).toBe(true);
    expect(isExternalLink('https://github.com/distribution/distribution')).toBe(true);
    expect(isExternalLink('https://example.com/')).toBe(false);
    expect(isExternalLink('https://hub.docker.com.evil.example/')).toBe(false);
    expect(isExternalLink('https://user:pw@github.com/')).toBe(false);
    expect(isExternalLink('http://hub.docker.com')).toBe(false);
    expect(isExternalLink('javascript:alert(1)')).toBe(false);
    expect(isExternalLink('::')).toBe(false);
  });
});
