import { createServer as createHttp } from 'node:http';
import { createServer as createTcp, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { probeUpstream, tlsReason } from './upstream-probe.js';

async function listen(srv: Server): Promise<string> {
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
}

describe('probeUpstream', () => {
  it('counts any HTTP answer, Docker Hub style 401 included', async () => {
    const srv = createHttp((_q, res) => {
      res.statusCode = 401;
      res.end();
    });
    try {
      expect((await probeUpstream(await listen(srv))).reachable).toBe(true);
    } finally {
      srv.close();
    }
  });

  it('says unreachable when nothing listens', async () => {
    const srv = createTcp();
    const url = await listen(srv);
    await new Promise((r) => srv.close(r));
    expect(await probeUpstream(url)).toMatchObject({ reachable: false, reason: 'ECONNREFUSED' });
  });

  it('gives up on an upstream that accepts and never answers, within its deadline', async () => {
    const held: import('node:net').Socket[] = [];
    const srv = createTcp((s) => held.push(s));
    try {
      const r = await probeUpstream(await listen(srv), 300);
      expect(r).toMatchObject({ reachable: false, reason: 'no answer within 300 ms' });
    } finally {
      for (const s of held) s.destroy();
      srv.close();
    }
  });

  it('says an untrusted, expired or misnamed certificate in words, with the fix', () => {
    expect(tlsReason('SELF_SIGNED_CERT_IN_CHAIN', false)).toBe(
      'its certificate is not trusted (SELF_SIGNED_CERT_IN_CHAIN): give the CA that signed it with --upstream-ca FILE',
    );
    expect(tlsReason('UNABLE_TO_VERIFY_LEAF_SIGNATURE', true)).toMatch(
      /not signed by the upstream CA given .*check --upstream-ca/,
    );
    expect(tlsReason('CERT_HAS_EXPIRED', false)).toMatch(/has expired/);
    expect(tlsReason('ERR_TLS_CERT_ALTNAME_INVALID', false)).toMatch(/for another name/);
    expect(tlsReason('ECONNREFUSED', false)).toBeUndefined();
  });

  it('with a CA given, still answers plain http upstreams (the CA only matters for https)', async () => {
    const srv = createHttp((_q, res) => res.end());
    try {
      expect(
        (
          await probeUpstream(
            await listen(srv),
            3000,
            '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n',
          )
        ).reachable,
      ).toBe(true);
    } finally {
      srv.close();
    }
  });
});
