import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { parsePrometheus, readCatalog, readProxyStats } from './http.js';

async function serve(
  handler: Parameters<typeof createServer>[1],
): Promise<{ url: string; close: () => void }> {
  const srv = createServer(handler);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const a = srv.address();
  return { url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`, close: () => srv.close() };
}

describe('registry HTTP', () => {
  it('reads 2.8 expvar counters, where hits = requests - misses', async () => {
    const s = await serve((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          registry: {
            proxy: {
              blobs: { Requests: 10, Hits: 10, Misses: 3, BytesPulled: 300, BytesPushed: 1000 },
              manifests: { Requests: 4, Hits: 4, Misses: 1, BytesPulled: 9, BytesPushed: 40 },
            },
          },
        }),
      );
    });
    try {
      expect(await readProxyStats(s.url)).toEqual({
        blobs: { requests: 10, hits: 7, misses: 3, bytesPulled: 300, bytesPushed: 1000 },
        manifests: { requests: 4, hits: 3, misses: 1, bytesPulled: 9, bytesPushed: 40 },
      });
    } finally {
      s.close();
    }
  });

  it('reads 3.x Prometheus counters', () => {
    const text = [
      '# HELP registry_proxy_requests_total x',
      'registry_proxy_requests_total{type="blob"} 12',
      'registry_proxy_hits_total{type="blob"} 9',
      'registry_proxy_misses_total{type="blob"} 3',
      'registry_proxy_pulled_bytes_total{type="blob"} 1.5e+06',
      'registry_proxy_requests_total{type="manifest"} 2',
    ].join('\n');
    const stats = parsePrometheus(text);
    expect(stats.blobs).toEqual({ requests: 12, hits: 9, misses: 3, bytesPulled: 1_500_000, bytesPushed: 0 });
    expect(stats.manifests.requests).toBe(2);
  });

  it('follows catalog pages through the Link header', async () => {
    const s = await serve((req, res) => {
      const last = new URL(req.url!, 'http://x').searchParams.get('last');
      if (!last) {
        res.setHeader('link', '</v2/_catalog?last=b&n=2>; rel="next"');
        res.end(JSON.stringify({ repositories: ['a', 'b'] }));
      } else res.end(JSON.stringify({ repositories: ['c'] }));
    });
    try {
      expect(await readCatalog(s.url)).toEqual(['a', 'b', 'c']);
    } finally {
      s.close();
    }
  });
});
