// The allowance probe against a stand-in for Docker Hub on loopback that answers as Docker documents
// (token service, Bearer challenge, ratelimit headers) and, like Docker Hub, counts a GET of a
// manifest as a pull and a HEAD as none: the value read must equal the headers, and no GET is sent.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALLOWANCE_REPOSITORY,
  bearerChallenge,
  isDockerHub,
  parseAllowance,
  readAllowance,
} from './allowance.js';

interface Seen {
  method: string;
  path: string;
  authorization?: string;
}

/** Docker Hub's answers, as its pull-usage page shows them. */
function standIn(o: { headers?: boolean } = {}) {
  const seen: Seen[] = [];
  const remaining = { anonymous: 76, account: 180 };
  let base = '';
  const server: Server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', base);
    seen.push({
      method: req.method ?? '',
      path: url.pathname + url.search,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    if (url.pathname === '/token') {
      const basic = req.headers.authorization;
      if (basic && basic !== `Basic ${Buffer.from('ada:s3cret').toString('base64')}`) {
        res.writeHead(401).end('{"details":"incorrect username or password"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: basic ? 'account-token' : 'anonymous-token' }));
      return;
    }
    if (url.pathname === `/v2/${ALLOWANCE_REPOSITORY}/manifests/latest`) {
      const who =
        req.headers.authorization === 'Bearer account-token'
          ? 'account'
          : req.headers.authorization === 'Bearer anonymous-token'
            ? 'anonymous'
            : undefined;
      if (!who) {
        res.writeHead(401, {
          'www-authenticate': `Bearer realm="${base}/token",service="registry.docker.io",scope="repository:${ALLOWANCE_REPOSITORY}:pull"`,
        });
        res.end();
        return;
      }
      if (req.method === 'GET') remaining[who]--; // a pull counts
      res.writeHead(200, {
        'content-type': 'application/vnd.docker.distribution.manifest.v2+json',
        ...(o.headers === false
          ? {}
          : {
              'ratelimit-limit': `${who === 'account' ? 200 : 100};w=21600`,
              'ratelimit-remaining': `${remaining[who]};w=21600`,
              'docker-ratelimit-source': who === 'account' ? 'a1b2c3' : '192.0.2.7',
            }),
      });
      res.end(req.method === 'HEAD' ? undefined : '{}');
      return;
    }
    res.writeHead(404).end();
  });
  return {
    seen,
    remaining,
    async start() {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return base;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('readAllowance', () => {
  const hub = standIn();
  let url: string;
  beforeAll(async () => (url = await hub.start()));
  afterAll(() => hub.close());

  it('reads the anonymous allowance the headers state, with a HEAD: the probe costs no pull', async () => {
    hub.seen.length = 0;
    const a = await readAllowance(url, { now: () => Date.parse('2026-12-05T10:00:00Z') });
    expect(a).toEqual({
      limit: 100,
      remaining: 76,
      windowSeconds: 21_600,
      as: 'anonymous',
      source: '192.0.2.7',
      checkedAt: '2026-12-05T10:00:00.000Z',
    });
    expect(hub.seen.map((s) => `${s.method} ${s.path.split('?')[0]}`)).toEqual([
      `HEAD /v2/${ALLOWANCE_REPOSITORY}/manifests/latest`,
      'GET /token',
      `HEAD /v2/${ALLOWANCE_REPOSITORY}/manifests/latest`,
    ]);
    expect(new URL(hub.seen[1]!.path, url).searchParams.get('scope')).toBe(
      `repository:${ALLOWANCE_REPOSITORY}:pull`,
    );
    expect(hub.seen[1]?.authorization).toBeUndefined();
    // Read again: the same count, since nothing was pulled.
    expect((await readAllowance(url))?.remaining).toBe(76);
    expect(hub.seen.filter((s) => s.method !== 'HEAD' && s.path.includes('/manifests/'))).toEqual([]);
  });

  it("reads the account's allowance with its credentials, and says when they are refused", async () => {
    const a = await readAllowance(url, { credentials: { username: 'ada', password: 's3cret' } });
    expect(a).toMatchObject({ limit: 200, remaining: 180, as: 'account', source: 'a1b2c3' });
    await expect(readAllowance(url, { credentials: { username: 'ada', password: 'wrong' } })).rejects.toThrow(
      /token service answered 401 \(are the upstream credentials right\?\)/,
    );
  });

  it('has nothing to show for an upstream that states no allowance', async () => {
    const plain = standIn({ headers: false });
    try {
      expect(await readAllowance(await plain.start())).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});

describe('parsing', () => {
  it('takes "count;w=seconds", a bare count, and nothing else', () => {
    const h = (limit?: string, remaining?: string) =>
      new Headers({
        ...(limit !== undefined ? { 'ratelimit-limit': limit } : {}),
        ...(remaining !== undefined ? { 'ratelimit-remaining': remaining } : {}),
      });
    expect(parseAllowance(h('100;w=21600', '0;w=21600'), 0)).toMatchObject({
      limit: 100,
      remaining: 0,
      windowSeconds: 21_600,
    });
    expect(parseAllowance(h('200', '12'), 0)).toMatchObject({
      limit: 200,
      remaining: 12,
      windowSeconds: 21_600,
    });
    expect(parseAllowance(h('100;w=3600', undefined), 0)).toBeUndefined();
    expect(parseAllowance(h('lots', '3'), 0)).toBeUndefined();
  });

  it('reads a Bearer challenge, and refuses others', () => {
    expect(
      bearerChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io"'),
    ).toEqual({
      realm: 'https://auth.docker.io/token',
      service: 'registry.docker.io',
    });
    expect(bearerChallenge('Basic realm="x"')).toBeUndefined();
    expect(bearerChallenge('Bearer service="x"')).toBeUndefined();
    expect(bearerChallenge(null)).toBeUndefined();
  });

  it('knows Docker Hub by its URL (the app reads no allowance from any other upstream)', () => {
    expect(isDockerHub('https://registry-1.docker.io')).toBe(true);
    expect(isDockerHub('https://index.docker.io/v1/')).toBe(true);
    expect(isDockerHub('https://mirror.corp.example')).toBe(false);
    expect(isDockerHub('http://drpc-tb-upstream:5000')).toBe(false);
    expect(isDockerHub('not a url')).toBe(false);
  });
});
