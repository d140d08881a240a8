// Locks the renderer down: isolated, sandboxed, no Node; no new windows, no navigation away from our
// page, no webviews, every permission refused, and the CSP sent as a header as well as in the page.
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

/** Links the UI opens go to the browser, and only https ones; nothing opens inside the app. */
export function isExternalLink(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
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

/** The parts of Session we configure. */
export interface SessionPort {
  setPermissionRequestHandler(
    handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: () => boolean): void;
  setDevicePermissionHandler(handler: () => boolean): void;
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { responseHeaders?: Record<string, string[]> },
        callback: (response: { responseHeaders: Record<string, string[]> }) => void,
      ) => void,
    ): void;
  };
}

export function hardenSession(session: SessionPort, log: Logger): void {
  // The dashboard needs no camera, location, notifications (main sends those) or devices.
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    log.warn('denied a permission request', { permission });
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  // File pages carry the policy in a meta tag; this covers anything served over http (the dev server).
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = Object.fromEntries(
      Object.entries(details.responseHeaders ?? {}).filter(
        ([k]) => k.toLowerCase() !== 'content-security-policy',
      ),
    );
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}
