// Reads the registry's JSON access log: which manifest requests were pulls, by tag or by digest.
export interface ManifestRequest {
  /** ms since epoch, from the log line */
  time: number;
  repo: string;
  /** a tag, or a digest when `byDigest` */
  reference: string;
  byDigest: boolean;
  method: 'GET' | 'HEAD';
  /** who asked: pulls from one client are grouped by this */
  client: string;
  requestId: string;
}

const MANIFEST_URI = /^\/v2\/(.+)\/manifests\/([^/?#]+)$/;

/** One log line -> a successful manifest request, or undefined for anything else. */
export function parseAccessLine(line: string): ManifestRequest | undefined {
  const start = line.indexOf('{');
  if (start < 0) return undefined;
  let e: Record<string, unknown>;
  try {
    e = JSON.parse(line.slice(start)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (e.msg !== 'response completed') return undefined;
  const method = e['http.request.method'];
  const status = Number(e['http.response.status']);
  if ((method !== 'GET' && method !== 'HEAD') || status < 200 || status >= 300) return undefined;
  const uri = String(e['http.request.uri'] ?? '').split('?')[0]!;
  const m = MANIFEST_URI.exec(uri);
  if (!m) return undefined;
  const time = Date.parse(String(e.time ?? ''));
  if (!Number.isFinite(time)) return undefined;
  const reference = decodeURIComponent(m[2]!);
  return {
    time,
    repo: m[1]!,
    reference,
    byDigest: reference.includes(':'),
    method,
    client:
      String(e['http.request.remoteaddr'] ?? '').replace(/:\d+$/, '') +
      ' ' +
      String(e['http.request.useragent'] ?? ''),
    requestId: String(e['http.request.id'] ?? ''),
  };
}
