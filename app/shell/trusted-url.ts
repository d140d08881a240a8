// Which pages are ours: the built renderer file, or in development the local dev server's origin.
// IPC calls, navigation and CSP headers all ask this one function.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RendererOrigin {
  /** absolute path of the renderer's index.html */
  rendererFile: string;
  /** http://localhost:PORT of the dev server, only in unpackaged development */
  devServerUrl?: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A dev server URL we would load: plain http on loopback. Anything else is ignored. */
export function devServerOrigin(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' && LOOPBACK.has(u.hostname) ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

export function isTrustedRendererUrl(url: string, origin: RendererOrigin): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === 'file:') {
    // Query and hash are the renderer's own routing; the file itself must be ours exactly.
    if (u.host !== '') return false;
    try {
      return resolve(fileURLToPath(u)) === resolve(origin.rendererFile);
    } catch {
      return false;
    }
  }
  const dev = devServerOrigin(origin.devServerUrl);
  return dev !== undefined && u.origin === dev;
}
