import { describe, expect, it, vi } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../app/shell/csp.js';
import { silentLogger } from './log.js';
import {
  guardContents,
  hardenSession,
  isExternalLink,
  secureWebPreferences,
  type ContentsPort,
  type SessionPort,
} from './security.js';

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
      devTools: false,
    });
  });
});

describe('guardContents', () => {
  it('denies every new window and opens only https links in the browser', () => {
    const c = new FakeContents();
    const openExternal = vi.fn();
    guardContents(c, trusted, openExternal, silentLogger);
    expect(c.openHandler?.({ url: 'https://docs.docker.com/' })).toEqual({ action: 'deny' });
    expect(c.openHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(c.openHandler?.({ url: 'http://example.com/' })).toEqual({ action: 'deny' });
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
  it('denies permission requests and checks, and sets the CSP header over any the server sent', () => {
    let request: Parameters<SessionPort['setPermissionRequestHandler']>[0] | undefined;
    let check: (() => boolean) | undefined;
    let device: (() => boolean) | undefined;
    let headers: Parameters<SessionPort['webRequest']['onHeadersReceived']>[0] | undefined;
    const session: SessionPort = {
      setPermissionRequestHandler: (h) => (request = h),
      setPermissionCheckHandler: (h) => (check = h),
      setDevicePermissionHandler: (h) => (device = h),
      webRequest: { onHeadersReceived: (l) => (headers = l) },
    };
    hardenSession(session, silentLogger);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read']) {
      const cb = vi.fn();
      request?.({}, permission, cb);
      expect(cb).toHaveBeenCalledWith(false);
    }
    expect(check?.()).toBe(false);
    expect(device?.()).toBe(false);
    const out = vi.fn();
    headers?.(
      { responseHeaders: { 'content-security-policy': ["script-src 'unsafe-inline'"], A: ['1'] } },
      out,
    );
    expect(out).toHaveBeenCalledWith({
      responseHeaders: { A: ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
});

describe('isExternalLink', () => {
  it('accepts https only', () => {
    expect(isExternalLink('https://hub.docker.com')).toBe(true);
    expect(isExternalLink('http://hub.docker.com')).toBe(false);
    expect(isExternalLink('javascript:alert(1)')).toBe(false);
    expect(isExternalLink('::')).toBe(false);
  });
});
