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

export async function probeUpstream(
  url: string,
  timeoutMs = 3000,
  ca?: string,
  credentials?: { username: string; password: string } | null,
): Promise<ProbeResult> {
  const t0 = Date.now();
  // With credentials, asked as the mirror will ask: a Basic realm (htpasswd: a team mirror) that still
  // answers 401 refused them. A Bearer realm (Docker Hub) answers 401 to /v2/ whatever they are.
  const headers: Record<string, string> = credentials
    ? {
        authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`,
      }
    : {};
  try {
    let status: number;
    let challenge: string | null;
    if (ca) ({ status, challenge } = await requestWithCa(new URL('/v2/', url), timeoutMs, ca, headers));
    else {
      const res = await fetch(new URL('/v2/', url), {
        method: 'GET',
        headers,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'manual',
      });
      await res.body?.cancel();
      status = res.status;
      challenge = res.headers.get('www-authenticate');
    }
    if (credentials && status === 401 && /^basic\b/i.test(challenge ?? ''))
      return {
        reachable: false,
        reason:
          'it refused the upstream credentials (401): check the account (DRPC_UPSTREAM_USERNAME and DRPC_UPSTREAM_PASSWORD, or the app’s Settings)',
        ms: Date.now() - t0,
      };
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
function requestWithCa(
  url: URL,
  timeoutMs: number,
  ca: string,
  headers: Record<string, string>,
): Promise<{ status: number; challenge: string | null }> {
  return new Promise((resolve, reject) => {
    const options = { method: 'GET', timeout: timeoutMs, headers };
    const req =
      url.protocol === 'https:'
        ? httpsRequest(url, { ...options, ca: [...rootCertificates, ca] }, done)
        : httpRequest(url, options, done);
    function done(res: IncomingMessage) {
      res.resume();
      const challenge = res.headers['www-authenticate'];
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, challenge: typeof challenge === 'string' ? challenge : null }),
      );
      res.on('error', reject);
    }
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' })));
    req.on('error', reject);
    req.end();
  });
}
