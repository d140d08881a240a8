// Locks the renderer down: isolated, sandboxed, no Node; no new windows, no navigation away from our
// page, no webviews, every permission refused but the clipboard write our own page's copy buttons
// need, links opened in the browser only for a few known hosts, and the CSP sent as a header as well
// as in the page (a laxer one for the Vite dev server, which only an unpackaged run loads).
import type { WebPreferences } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../app/shell/csp.js';
import type { Logger } from './log.js';

export function secureWebPreferences(preload: string, devTools: boolean): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
    // A middle click would open a link in a new window; none may open (electronegativity AUXCLICK_JS_CHECK).
    disableBlinkFeatures: 'Auxclick',
    devTools,
  };
}

interface Preventable {
  preventDefault(): void;
}

/** The parts of WebContents we guard; the real one satisfies it (checked in index.ts). */
export interface ContentsPort {
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  on(event: 'will-navigate', listener: (e: Preventable & { url: string }) => void): unknown;
  on(event: 'will-redirect', listener: (e: Preventable & { url: string }) => void): unknown;
  on(event: 'will-attach-webview', listener: (e: Preventable) => void): unknown;
}

/**
 * The hosts a link from the UI may open in the browser (as podman-desktop's security-restrictions.ts
 * does): documentation and the project's pages. Anything else, even https, stays closed: a page that
 * got script into the renderer could otherwise open any site or a phishing look-alike.
 */
export const EXTERNAL_HOSTS: readonly string[] = [
  'docs.docker.com',
  'hub.docker.com',
  'github.com',
  'distribution.github.io',
];

/** Links the UI opens go to the browser, https to a host on the allow-list only; nothing opens inside the app. */
export function isExternalLink(url: string): boolean {
  try {
    const u = new URL(url);
    return (
      u.protocol === 'https:' && u.username === '' && u.password === '' && EXTERNAL_HOSTS.includes(u.hostname)
    );
  } catch {
    return false;
  }
}

export function guardContents(
  contents: ContentsPort,
  isTrustedUrl: (url: string) => boolean,
  openExternal: (url: string) => void,
  log: Logger,
): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) openExternal(url);
    else log.warn('refused to open a link', { url: url.slice(0, 200) });
    return { action: 'deny' };
  });
  const stay = (kind: string) => (e: Preventable & { url: string }) => {
    if (isTrustedUrl(e.url)) return;
    e.preventDefault();
    log.warn(`blocked ${kind}`, { url: e.url.slice(0, 200) });
  };
  contents.on('will-navigate', stay('navigation'));
  contents.on('will-redirect', stay('redirect'));
  contents.on('will-attach-webview', (e) => e.preventDefault());
}

/** The page a permission handler is asked about (WebContents: the real one satisfies it). */
interface PageOf {
  getURL(): string;
}

/** The parts of Session we configure, with the arguments Electron passes (session.md). */
export interface SessionPort {
  setPermissionRequestHandler(
    handler: (
      contents: PageOf,
      permission: string,
      callback: (granted: boolean) => void,
      details: { requestingUrl?: string; isMainFrame?: boolean },
    ) => void,
  ): void;
  setPermissionCheckHandler(
    handler: (
      contents: PageOf | null,
      permission: string,
      requestingOrigin: string,
      details: { requestingUrl?: string; isMainFrame?: boolean },
    ) => boolean,
  ): void;
  setDevicePermissionHandler(handler: () => boolean): void;
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { url: string; responseHeaders?: Record<string, string[]> },
        callback: (response: { responseHeaders: Record<string, string[]> }) => void,
      ) => void,
    ): void;
  };
}

/**
 * What our page may use: writing to the clipboard (navigator.clipboard.writeText asks for
 * 'clipboard-sanitized-write'), for the copy buttons. No camera, location, notifications (main sends
 * those), clipboard reading or devices.
 */
export const GRANTED_PERMISSIONS: readonly string[] = ['clipboard-sanitized-write'];

export interface SessionTrust {
  /** our renderer page (built file, or the dev server in an unpackaged run) */
  isTrustedUrl(url: string): boolean;
  /** the loopback dev server's origin, only in an unpackaged run with DRPC_RENDERER_URL */
  devServerOrigin?: string | undefined;
}

export function hardenSession(session: SessionPort, log: Logger, trust: SessionTrust): void {
  // Only the main frame of our own page, asking for a permission it needs; the page the handler is
  // asked about and the frame that asks must both be ours (a frame's URL is its own, the page's may differ).
  const allowed = (permission: string, page: PageOf | null, frameUrl: string | undefined, mainFrame = true) =>
    GRANTED_PERMISSIONS.includes(permission) &&
    mainFrame &&
    page !== null &&
    trust.isTrustedUrl(page.getURL()) &&
    (frameUrl === undefined || trust.isTrustedUrl(frameUrl));
  session.setPermissionRequestHandler((contents, permission, callback, details) => {
    const ok = allowed(permission, contents, details.requestingUrl, details.isMainFrame);
    if (!ok) log.warn('denied a permission request', { permission });
    callback(ok);
  });
  session.setPermissionCheckHandler((contents, permission, _origin, details) =>
    allowed(permission, contents, details.requestingUrl, details.isMainFrame),
  );
  session.setDevicePermissionHandler(() => false);
  // File pages carry the policy in a meta tag; this covers anything served over http (the dev server).
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = Object.fromEntries(
      Object.entries(details.responseHeaders ?? {}).filter(
        ([k]) => k.toLowerCase() !== 'content-security-policy',
      ),
    );
    const policy = policyFor(details.url, trust.devServerOrigin);
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [policy] } });
  });
}

/**
 * The policy for a response: the strict one, except for pages of the Vite dev server, whose served
 * index.html carries React Refresh's inline module script, whose client injects CSS as <style>
 * elements and talks to the server over a WebSocket for hot reload. Only an unpackaged run with
 * DRPC_RENDERER_URL has a dev server origin at all (index.ts), and its index.html has no CSP meta tag
 * (vite.renderer.config.ts drops it when serving), so this header is the policy there.
 */
export function policyFor(url: string, devServerOrigin: string | undefined): string {
  if (!devServerOrigin || !sameOrigin(url, devServerOrigin)) return CONTENT_SECURITY_POLICY;
  const ws = devServerOrigin.replace(/^http:/, 'ws:');
  return CONTENT_SECURITY_POLICY.split('; ')
    .map((d) => {
      if (d === "script-src 'self'") return "script-src 'self' 'unsafe-inline'";
      if (d === "style-src 'self'") return "style-src 'self' 'unsafe-inline'";
      if (d === "connect-src 'self'") return `connect-src 'self' ${ws}`;
      return d;
    })
    .join('; ');
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}
