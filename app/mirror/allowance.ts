// Docker Hub's pull allowance, read the way Docker documents it: a HEAD of the manifest of
// `ratelimitpreview/test` (a HEAD is not counted as a pull; a GET would be), with an anonymous token or
// the account's, and the answer's `ratelimit-limit` / `ratelimit-remaining` headers ("100;w=21600": 100
// pulls per 21,600 s window). An upstream that sends no such headers has no allowance to show.
// https://docs.docker.com/docker-hub/usage/pulls/#view-pull-rate-and-limit
import type { Allowance } from '../contract/values.js';
import type { UpstreamCredentials } from './settings.js';

/** The repository Docker names for the check. */
export const ALLOWANCE_REPOSITORY = 'ratelimitpreview/test';

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
].join(', ');

/** Docker Hub's registry, by the names its URL goes by. */
export function isDockerHub(url: string): boolean {
  try {
    return ['registry-1.docker.io', 'index.docker.io', 'registry.hub.docker.com', 'docker.io'].includes(
      new URL(url).hostname,
    );
  } catch {
    return false;
  }
}

export interface AllowanceOptions {
  credentials?: UpstreamCredentials | null;
  timeoutMs?: number;
  now?: () => number;
}

/** Reads the allowance; undefined when the upstream sends none (not Docker Hub, or unlimited). */
export async function readAllowance(
  upstreamUrl: string,
  o: AllowanceOptions = {},
): Promise<Allowance | undefined> {
  const signal = AbortSignal.timeout(o.timeoutMs ?? 5000);
  const manifest = new URL(`/v2/${ALLOWANCE_REPOSITORY}/manifests/latest`, upstreamUrl);
  const head = async (authorization?: string) => {
    const res = await fetch(manifest, {
      method: 'HEAD',
      headers: { accept: MANIFEST_TYPES, ...(authorization ? { authorization } : {}) },
      signal,
    });
    await res.body?.cancel();
    return res;
  };
  let res = await head();
  if (res.status === 401) {
    const challenge = bearerChallenge(res.headers.get('www-authenticate'));
    if (!challenge) return undefined;
    res = await head(`Bearer ${await fetchToken(challenge, o.credentials ?? null, signal)}`);
  }
  return parseAllowance(res.headers, o.now?.() ?? Date.now(), o.credentials ? 'account' : 'anonymous');
}

/** The allowance the headers state, or undefined when they state none. */
export function parseAllowance(
  headers: Headers,
  now: number,
  as: Allowance['as'] = 'anonymous',
): Allowance | undefined {
  const limit = quota(headers.get('ratelimit-limit'));
  const remaining = quota(headers.get('ratelimit-remaining'));
  if (!limit || !remaining) return undefined;
  const source = headers.get('docker-ratelimit-source');
  return {
    limit: limit.count,
    remaining: remaining.count,
    windowSeconds: limit.window ?? remaining.window ?? 21_600,
    as,
    ...(source ? { source } : {}),
    checkedAt: new Date(now).toISOString(),
  };
}

/** "100;w=21600" -> 100 pulls per 21,600 s. */
function quota(value: string | null): { count: number; window?: number } | undefined {
  const m = /^\s*(\d+)\s*(?:;\s*w\s*=\s*(\d+))?/.exec(value ?? '');
  if (!m) return undefined;
  return { count: Number(m[1]), ...(m[2] ? { window: Number(m[2]) } : {}) };
}

interface Challenge {
  realm: string;
  service?: string;
}

/** `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="…"` */
export function bearerChallenge(header: string | null): Challenge | undefined {
  if (!header || !/^\s*bearer\s/i.test(header)) return undefined;
  const params = new Map<string, string>();
  for (const m of header.matchAll(/(\w+)="([^"]*)"/g)) params.set(m[1]!.toLowerCase(), m[2]!);
  const realm = params.get('realm');
  if (!realm) return undefined;
  const service = params.get('service');
  return { realm, ...(service ? { service } : {}) };
}

async function fetchToken(
  c: Challenge,
  credentials: UpstreamCredentials | null,
  signal: AbortSignal,
): Promise<string> {
  const url = new URL(c.realm);
  if (c.service) url.searchParams.set('service', c.service);
  url.searchParams.set('scope', `repository:${ALLOWANCE_REPOSITORY}:pull`);
  const basic = credentials
    ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
    : undefined;
  const res = await fetch(url, { headers: basic ? { authorization: basic } : {}, signal });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(
      `the token service answered ${res.status}${credentials ? ' (are the upstream credentials right?)' : ''}`,
    );
  }
  const body = (await res.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) throw new Error('the token service sent no token');
  return token;
}
