// Reads the registry's JSON log: manifest requests (pulls by tag or digest), blob downloads, and which
// requests had to go to the upstream (the registry logs "Challenge established with upstream" for them).
// The 2.8 registry's own blob counters never count a miss, so hits and misses come from here.
export interface ManifestRequest {
  kind: 'manifest';
  /** ms since epoch, from the log line */
  time: number;
  repo: string;
  /** a tag, or a digest when `byDigest` */
  reference: string;
  byDigest: boolean;
  method: 'GET' | 'HEAD';
  /** an index or manifest list: a platform manifest request follows within the same pull */
  isIndex: boolean;
  /** who asked: pulls from one client are grouped by this */
  client: string;
  requestId: string;
}

export interface BlobRequest {
  kind: 'blob';
  time: number;
  repo: string;
  bytes: number;
  requestId: string;
}

export interface UpstreamContact {
  kind: 'upstream';
  time: number;
  requestId: string;
}

/** The registry could not write: its volume is full. */
export interface DiskFull {
  kind: 'disk-full';
  time: number;
  requestId: string;
}

/** The registry finished copying something from the upstream into the cache. */
export interface Stored {
  kind: 'stored';
  time: number;
  requestId: string;
  /** the repository it was stored for, from the message (`... entry for <repo>@<digest> with ttl=...`) */
  repo?: string;
}

export type LogEntry = ManifestRequest | BlobRequest | UpstreamContact | DiskFull | Stored;

const MANIFEST_URI = /^\/v2\/(.+)\/manifests\/([^/?#]+)$/;
// 2.8's scheduler: "Adding new scheduler entry for library/busybox@sha256:<hex> with ttl=167h59m59.9s".
const SCHEDULED = /^Adding new scheduler entry for (.+?)@sha256:[0-9a-f]{64} with ttl=/;
const BLOB_URI = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/;

/** One log line -> what it tells about pulls, or undefined for anything else. */
export function parseLogLine(line: string): LogEntry | undefined {
  const start = line.indexOf('{');
  if (start < 0) return undefined;
  let e: Record<string, unknown>;
  try {
    e = JSON.parse(line.slice(start)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const time = Date.parse(String(e.time ?? ''));
  const requestId = String(e['http.request.id'] ?? '');
  if (!Number.isFinite(time)) return undefined;
  const msg = String(e.msg ?? '');
  if (/no space left on device/i.test(line)) return { kind: 'disk-full', time, requestId };
  // 2.8 schedules expiry for what it has just stored: the one trace of a completed copy.
  if (msg.startsWith('Adding new scheduler entry')) {
    const repo = SCHEDULED.exec(msg)?.[1];
    return { kind: 'stored', time, requestId, ...(repo ? { repo } : {}) };
  }
  if (msg.startsWith('Challenge established with upstream') && requestId)
    return { kind: 'upstream', time, requestId };
  if (msg !== 'response completed') return undefined;
  const method = e['http.request.method'];
  const status = Number(e['http.response.status']);
  if ((method !== 'GET' && method !== 'HEAD') || status < 200 || status >= 300) return undefined;
  const uri = String(e['http.request.uri'] ?? '').split('?')[0]!;
  const blob = BLOB_URI.exec(uri);
  if (blob) {
    if (method !== 'GET') return undefined;
    return {
      kind: 'blob',
      time,
      repo: blob[1]!,
      bytes: Number(e['http.response.written'] ?? 0) || 0,
      requestId,
    };
  }
  const m = MANIFEST_URI.exec(uri);
  if (!m) return undefined;
  const reference = decodeURIComponent(m[2]!);
  return {
    kind: 'manifest',
    time,
    repo: m[1]!,
    reference,
    byDigest: reference.includes(':'),
    method,
    isIndex: /manifest\.list|image\.index/.test(String(e['http.response.contenttype'] ?? '')),
    client:
      String(e['http.request.remoteaddr'] ?? '').replace(/:\d+$/, '') +
      ' ' +
      String(e['http.request.useragent'] ?? ''),
    requestId,
  };
}

/** Manifest requests only (the pull records' input). */
export function parseAccessLine(line: string): ManifestRequest | undefined {
  const e = parseLogLine(line);
  return e?.kind === 'manifest' ? e : undefined;
}
