// Talking to the running registry over HTTP from the host: health, catalog, metrics.
export async function fetchWithTimeout(url: string, ms: number, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(ms) });
}

/** GET /v2/ answers 200 (or 401 when the registry itself wants auth): the registry serves. */
export async function registryAnswers(baseUrl: string, ms = 1500): Promise<boolean> {
  try {
    const res = await fetchWithTimeout(`${baseUrl}/v2/`, ms);
    await res.body?.cancel();
    return res.status === 200 || res.status === 401;
  } catch {
    return false;
  }
}

/** Every repository in the catalog, following the Link header's pages. */
export async function readCatalog(baseUrl: string, ms = 5000): Promise<string[]> {
  const repos: string[] = [];
  let next: string | null = `${baseUrl}/v2/_catalog?n=1000`;
  while (next) {
    const res = await fetchWithTimeout(next, ms);
    if (!res.ok) throw new Error(`catalog: HTTP ${res.status}`);
    const body = (await res.json()) as { repositories?: string[] };
    repos.push(...(body.repositories ?? []));
    const link = res.headers.get('link');
    const m = link ? /<([^>]+)>;\s*rel="next"/.exec(link) : null;
    next = m ? new URL(m[1]!, baseUrl).toString() : null;
  }
  return repos;
}

export interface ProxyCounters {
  requests: number;
  hits: number;
  misses: number;
  bytesPulled: number;
  bytesPushed: number;
}

export interface ProxyStats {
  blobs: ProxyCounters;
  manifests: ProxyCounters;
}

const zero = (): ProxyCounters => ({ requests: 0, hits: 0, misses: 0, bytesPulled: 0, bytesPushed: 0 });

/**
 * The proxy's counters since the registry started. 2.8 publishes expvar JSON at /debug/vars, where Hits
 * counts every response: hits = Requests - Misses. 3.x publishes Prometheus text at /metrics.
 */
export async function readProxyStats(debugUrl: string, ms = 2000): Promise<ProxyStats | undefined> {
  try {
    const res = await fetchWithTimeout(`${debugUrl}/debug/vars`, ms);
    if (res.ok) {
      const vars = (await res.json()) as { registry?: { proxy?: Record<string, Record<string, number>> } };
      const p = vars.registry?.proxy;
      if (p) return { blobs: fromExpvar(p.blobs), manifests: fromExpvar(p.manifests) };
    } else await res.body?.cancel();
  } catch {
    /* try prometheus */
  }
  try {
    const res = await fetchWithTimeout(`${debugUrl}/metrics`, ms);
    if (res.ok) return parsePrometheus(await res.text());
  } catch {
    /* no metrics */
  }
  return undefined;
}

function fromExpvar(v: Record<string, number> | undefined): ProxyCounters {
  if (!v) return zero();
  const requests = v.Requests ?? 0;
  const misses = v.Misses ?? 0;
  return {
    requests,
    misses,
    hits: Math.max(0, requests - misses),
    bytesPulled: v.BytesPulled ?? 0,
    bytesPushed: v.BytesPushed ?? 0,
  };
}

export function parsePrometheus(text: string): ProxyStats {
  const out: ProxyStats = { blobs: zero(), manifests: zero() };
  const fields: Record<string, keyof ProxyCounters> = {
    requests: 'requests',
    hits: 'hits',
    misses: 'misses',
    pulled_bytes: 'bytesPulled',
    pushed_bytes: 'bytesPushed',
  };
  for (const m of text.matchAll(
    /^registry_proxy_(\w+?)_total\{[^}]*type="(blob|manifest)"[^}]*\}\s+([\d.eE+]+)/gm,
  )) {
    const field = fields[m[1]!];
    if (!field) continue;
    out[m[2] === 'blob' ? 'blobs' : 'manifests'][field] = Number(m[3]);
  }
  return out;
}
