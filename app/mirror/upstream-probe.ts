// Is the upstream there? One bounded request from the host: any HTTP answer counts (Docker Hub answers
// /v2/ with 401), a refused connection, a failed lookup or silence past the deadline does not.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

export interface ProbeResult {
  reachable: boolean;
  /** why not, for people */
  reason?: string;
  ms: number;
}

export async function probeUpstream(url: string, timeoutMs = 3000, ca?: string): Promise<ProbeResult> {
  const t0 = Date.now();
  try {
    if (ca) await requestWithCa(new URL('/v2/', url), timeoutMs, ca);
    else {
      const res = await fetch(new URL('/v2/', url), {
        method: 'GET',
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'manual',
      });
      await res.body?.cancel();
    }
    return { reachable: true, ms: Date.now() - t0 };
  } catch (err) {
    const e = err as Error & { code?: string; cause?: { code?: string } };
    const code = e.cause?.code ?? e.code;
    const reason =
      e.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : (tlsReason(code, ca !== undefined) ?? code ?? e.message ?? 'unreachable');
    return { reachable: false, reason, ms: Date.now() - t0 };
  }
}

/** Node's TLS verification codes, as a person would fix them. */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
]);

export function tlsReason(code: string | undefined, withCa: boolean): string | undefined {
  if (!code) return undefined;
  if (UNTRUSTED.has(code))
    return withCa
      ? `its certificate is not signed by the upstream CA given (${code}): check --upstream-ca`
      : `its certificate is not trusted (${code}): give the CA that signed it with --upstream-ca FILE`;
  if (code === 'CERT_HAS_EXPIRED') return `its certificate has expired (${code})`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `its certificate is for another name (${code}): use the name it was issued for`;
  return undefined;
}

/** One GET with the given CA trusted besides the usual roots (fetch takes no CA). */
function requestWithCa(url: URL, timeoutMs: number, ca: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const options = { method: 'GET', timeout: timeoutMs };
    const req =
      url.protocol === 'https:'
        ? httpsRequest(url, { ...options, ca: [...rootCertificates, ca] }, done)
        : httpRequest(url, options, done);
    function done(res: IncomingMessage) {
      res.resume();
      res.on('end', () => resolve());
      res.on('error', reject);
    }
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' })));
    req.on('error', reject);
    req.end();
  });
}
