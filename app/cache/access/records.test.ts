import { describe, expect, it } from 'vitest';
import { parseAccessLine, parseLogLine, type ManifestRequest } from './log-entry.js';
import { AccessFolder } from './records.js';

const line = (o: Record<string, unknown>) =>
  JSON.stringify({
    msg: 'response completed',
    'http.response.status': 200,
    'http.request.remoteaddr': '10.0.0.1:4242',
    'http.request.useragent': 'docker/20.10',
    ...o,
  });

const req = (method: string, uri: string, t: number, id: string, extra: Record<string, unknown> = {}) =>
  line({
    'http.request.method': method,
    'http.request.uri': uri,
    time: new Date(t).toISOString(),
    'http.request.id': id,
    ...extra,
  });

const D1 = 'sha256:' + '1'.repeat(64);
const D2 = 'sha256:' + '2'.repeat(64);

function fold(lines: string[]) {
  const f = new AccessFolder();
  for (const l of lines) {
    const r = parseAccessLine(l);
    if (r) f.add(r);
  }
  return f.records;
}

describe('access log', () => {
  it('parses manifest requests and ignores everything else', () => {
    expect(parseAccessLine(req('GET', '/v2/library/busybox/manifests/latest', 1000, 'a'))).toMatchObject({
      repo: 'library/busybox',
      reference: 'latest',
      byDigest: false,
      method: 'GET',
      client: '10.0.0.1 docker/20.10',
    } satisfies Partial<ManifestRequest>);
    expect(
      parseLogLine(req('GET', `/v2/a/blobs/${D1}`, 1000, 'a', { 'http.response.written': 42 })),
    ).toMatchObject({
      kind: 'blob',
      repo: 'a',
      bytes: 42,
    });
    expect(parseAccessLine(req('GET', `/v2/a/b/c/manifests/${D1}`, 1000, 'a'))).toMatchObject({
      repo: 'a/b/c',
      byDigest: true,
    });
    expect(parseAccessLine(req('GET', `/v2/library/busybox/blobs/${D1}`, 1000, 'a'))).toBeUndefined();
    expect(
      parseAccessLine(req('GET', '/v2/x/manifests/latest', 1000, 'a', { 'http.response.status': 404 })),
    ).toBeUndefined();
    expect(parseAccessLine(req('PUT', '/v2/x/manifests/latest', 1000, 'a'))).toBeUndefined();
    expect(parseAccessLine('10.0.0.1 - - [29/Nov/2026] "GET /v2/ HTTP/1.1" 200')).toBeUndefined();
    expect(parseAccessLine('{"msg":"response completed",')).toBeUndefined();
  });

  it('counts a pull by tag once: HEAD tag, GET digest, GET platform digest', () => {
    const r = fold([
      req('HEAD', '/v2/library/multi/manifests/latest', 1000, 'a'),
      req('GET', '/v2/library/multi/manifests/latest', 1010, 'b'),
      req('GET', `/v2/library/multi/manifests/${D1}`, 1020, 'c'),
    ]);
    expect(r.repos['library/multi']).toMatchObject({
      pulls: 1,
      lastPull: 1020,
      tags: { latest: { pulls: 1, lastPull: 1010 } },
      digests: {},
    });
  });

  it('counts pulls in quick succession each once: a pull of a manifest dockerd holds is a lone HEAD', () => {
    const r = fold([
      req('HEAD', '/v2/library/busybox/manifests/latest', 1000, 'a'),
      req('GET', `/v2/library/busybox/manifests/${D1}`, 1007, 'b'),
      req('HEAD', '/v2/library/busybox/manifests/latest', 1138, 'c'),
      req('HEAD', '/v2/library/busybox/manifests/latest', 1257, 'd'),
    ]);
    expect(r.repos['library/busybox']).toMatchObject({
      pulls: 3,
      lastPull: 1257,
      tags: { latest: { pulls: 3 } },
      digests: {},
    });
  });

  it('counts pulls by digest separately, and later pulls again', () => {
    const r = fold([
      req('GET', `/v2/library/busybox/manifests/${D1}`, 1000, 'a'),
      req('HEAD', '/v2/library/busybox/manifests/latest', 100_000, 'b'),
      req('GET', `/v2/library/busybox/manifests/${D2}`, 100_010, 'c'),
      req('HEAD', '/v2/library/busybox/manifests/latest', 200_000, 'd'),
    ]);
    expect(r.repos['library/busybox']).toMatchObject({
      pulls: 3,
      lastPull: 200_000,
      tags: { latest: { pulls: 2, lastPull: 200_000 } },
      digests: { [D1]: { pulls: 1, lastPull: 1000 } },
    });
  });

  it('tells a pull by digest right after a pull by tag from the digest request of that pull', () => {
    const idx = { 'http.response.contenttype': 'application/vnd.docker.distribution.manifest.list.v2+json' };
    const r = fold([
      req('HEAD', '/v2/library/busybox/manifests/latest', 1000, 'a'),
      req('GET', `/v2/library/busybox/manifests/${D1}`, 1005, 'b'),
      req('GET', `/v2/library/busybox/manifests/${D1}`, 1500, 'c'), // a second pull, by digest
      req('GET', `/v2/library/multi/manifests/${D2}`, 3000, 'd', idx), // by digest, an index
      req('GET', `/v2/library/multi/manifests/${D1}`, 3005, 'e'), // its platform manifest
    ]);
    expect(r.repos['library/busybox']).toMatchObject({
      pulls: 2,
      tags: { latest: { pulls: 1 } },
      digests: { [D1]: { pulls: 1 } },
    });
    expect(r.repos['library/multi']).toMatchObject({ pulls: 1, digests: { [D2]: { pulls: 1 } } });
  });

  it('never counts the same log line twice when the log is read again', () => {
    const lines = [
      req('HEAD', '/v2/a/manifests/v1', 1000, 'a'),
      req('HEAD', '/v2/b/manifests/v1', 5000, 'b'),
    ];
    const f = new AccessFolder();
    for (const l of [...lines, ...lines]) f.add(parseAccessLine(l)!);
    expect(f.records.repos.a!.pulls).toBe(1);
    expect(f.records.repos.b!.pulls).toBe(1);
    expect(f.records.cursor).toEqual({ time: 5000, ids: ['b'] });
  });

  it('counts blob downloads as misses when the registry went to the upstream for them', () => {
    const f = new AccessFolder();
    const blob = (id: string, t: number, bytes: number) =>
      parseLogLine(req('GET', `/v2/a/blobs/${D1}`, t, id, { 'http.response.written': bytes }))!;
    const upstream = (id: string, t: number) =>
      parseLogLine(
        JSON.stringify({
          msg: 'Challenge established with upstream : {http ...}',
          time: new Date(t).toISOString(),
          'http.request.id': id,
        }),
      )!;
    for (const e of [upstream('m', 1000), blob('m', 1001, 500), blob('h', 2000, 500), blob('h2', 3000, 200)])
      f.addEntry(e);
    // Read again (a restart of the follower): nothing counts twice.
    for (const e of [upstream('m', 1000), blob('m', 1001, 500), blob('h', 2000, 500)]) f.addEntry(e);
    expect(f.records.blobs).toEqual({
      requests: 3,
      hits: 2,
      misses: 1,
      bytesFromCache: 700,
      bytesFromUpstream: 500,
    });
  });

  it('marks pulls served while offline', () => {
    const f = new AccessFolder();
    f.add(parseAccessLine(req('HEAD', '/v2/a/manifests/v1', 1000, 'a'))!, false);
    expect(f.records.repos.a!.offlinePulls).toBe(1);
  });
});
