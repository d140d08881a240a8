// Registry mirror URLs, compared the way dockerd would treat them, so an equivalent entry that is
// already in `registry-mirrors` (say `HTTP://Host:80/`) is recognised and not added a second time.
import { DaemonJsonError } from './errors.js';

// A scheme is required, and no whitespace anywhere: WHATWG URL would trim a leading space that
// dockerd (Go's url.Parse) rejects, and an entry dockerd rejects must never count as ours.
const URLISH = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s]*$/;

/**
 * The comparison form of a URL: lowercase scheme and host, no default port (`http://x:80` is
 * `http://x`), no trailing slashes, dot segments resolved. `null` when it is not a URL with a scheme.
 */
export function normalizeMirrorUrl(raw: string): string | null {
  if (!URLISH.test(raw)) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  const userinfo = url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  // WHATWG lowercases the host only for special schemes (http, https, …); do it for all.
  const host = url.host.toLowerCase();
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${userinfo}${host}${path}${url.search}${url.hash}`;
}

/** True when both are the same mirror: normalised forms equal, or (not URLs) identical strings. */
export function sameMirror(a: string, b: string): boolean {
  if (a === b) return true;
  const na = normalizeMirrorUrl(a);
  return na !== null && na === normalizeMirrorUrl(b);
}

/**
 * Checks a mirror URL we are about to add, with dockerd's own rules (registry.ValidateMirror):
 * http or https, a host, no credentials, no query or fragment. Returns the normalised form, which is
 * what gets written.
 */
export function validateMirrorUrl(raw: string): string {
  const bad = (why: string): never => {
    throw new DaemonJsonError('BAD_MIRROR_URL', `invalid registry mirror ${JSON.stringify(raw)}: ${why}`);
  };
  const normal = normalizeMirrorUrl(raw);
  if (normal === null) return bad('expected an absolute URL such as http://127.0.0.1:5000');
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return bad('the scheme must be http or https');
  if (!url.hostname) return bad('the URL has no host');
  if (url.username || url.password) return bad('credentials are not allowed in a mirror URL');
  if (url.search || url.hash || raw.includes('?') || raw.includes('#')) {
    return bad('a query or fragment is not allowed in a mirror URL');
  }
  return normal;
}
