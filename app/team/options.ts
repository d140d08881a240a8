// The values a team mirror's manifests are rendered with, and their checks: every refusal names the flag
// and says what a good value looks like. Secrets' values never pass through here, only Secret names.
import { isIP } from 'node:net';
import { AppError } from '../util/errors.js';
import { DOCKER_HUB } from '../mirror/settings.js';

export type TeamFormat = 'k8s' | 'compose';
export type TeamStorage = 's3' | 'pvc';
export type ServiceType = 'LoadBalancer' | 'NodePort' | 'ClusterIP';

export interface TeamOptions {
  format: TeamFormat;
  /** the DNS name clients use for the mirror (TLS certificate, http.host) */
  host: string;
  /** Kubernetes only: registry replicas, namespace, Secret names, Service type, volume */
  replicas: number;
  namespace: string;
  storage: TeamStorage;
  /** S3 (or S3-compatible) storage */
  bucket?: string;
  region: string;
  /** an S3-compatible service's URL (MinIO, Ceph RGW, R2...); absent: AWS S3 */
  endpoint?: string;
  /** Secret with keys `accesskey` and `secretkey` for the bucket */
  s3Secret: string;
  /** the shared volume (pvc): its size and storage class (absent: the cluster's default class) */
  size: string;
  storageClass?: string;
  /** `kubernetes.io/tls` Secret (tls.crt, tls.key), as cert-manager writes it */
  tlsSecret: string;
  /** Secret with key `htpasswd`; null: no authentication (refused with upstream credentials) */
  authSecret: string | null;
  /** Secret with keys `username` and `password` for the upstream; absent: anonymous pulls */
  upstreamSecret?: string;
  upstream: string;
  /** Redis the replicas share as blob-descriptor cache; absent: a small one is deployed with them */
  redis?: string;
  serviceType: ServiceType;
  image: string;
}

export const TEAM_DEFAULTS = {
  format: 'k8s',
  replicas: 2,
  namespace: 'registry-mirror',
  storage: 's3',
  region: 'us-east-1',
  s3Secret: 'registry-mirror-s3',
  size: '200Gi',
  tlsSecret: 'registry-mirror-tls',
  authSecret: 'registry-mirror-htpasswd',
  upstream: DOCKER_HUB,
  serviceType: 'LoadBalancer',
  image: 'registry:3',
} as const;

/** The Service name, and so the in-cluster DNS name's first label. */
export const APP_NAME = 'registry-mirror';

/** What the command line gave, before checks: every value as typed, absent when not given. */
export interface TeamInput {
  format?: string;
  host?: string;
  replicas?: string;
  namespace?: string;
  storage?: string;
  bucket?: string;
  region?: string;
  endpoint?: string;
  s3Secret?: string;
  size?: string;
  storageClass?: string;
  tlsSecret?: string;
  authSecret?: string;
  noAuth?: boolean;
  upstreamSecret?: string;
  upstream?: string;
  redis?: string;
  serviceType?: string;
  image?: string;
}

const bad = (message: string) => new AppError('INVALID_INPUT', message);

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, 253 characters at most. */
export function isDnsName(v: string): boolean {
  if (v.length === 0 || v.length > 253 || isIP(v) !== 0) return false;
  const labels = v.split('.');
  // A name whose last label is all digits reads as an IPv4 address to most resolvers.
  if (/^\d+$/.test(labels[labels.length - 1]!)) return false;
  return labels.every((l) => DNS_LABEL.test(l));
}

/** A Kubernetes object name (DNS-1123 subdomain), as Secret names are. */
function isObjectName(v: string): boolean {
  return v.length <= 253 && v.split('.').every((l) => DNS_LABEL.test(l));
}

/**
 * Amazon S3's rules for general purpose bucket names: 3 to 63 characters of lowercase letters, digits,
 * dots and hyphens, beginning and ending with a letter or digit, no two dots in a row, not shaped like
 * an IP address, and none of the prefixes and suffixes S3 reserves. Returns what is wrong, or null.
 */
export function bucketNameProblem(v: string): string | null {
  if (v.length < 3 || v.length > 63) return `is ${v.length} characters long; S3 allows 3 to 63`;
  if (/[^a-z0-9.-]/.test(v)) return 'may use only lowercase letters, digits, dots (.) and hyphens (-)';
  if (!/^[a-z0-9]/.test(v) || !/[a-z0-9]$/.test(v)) return 'must begin and end with a letter or digit';
  if (v.includes('..')) return 'must not have two dots in a row';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(v)) return 'must not be shaped like an IP address';
  for (const p of ['xn--', 'sthree-', 'amzn-s3-demo-'])
    if (v.startsWith(p)) return `must not begin with "${p}" (S3 reserves it)`;
  for (const s of ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'])
    if (v.endsWith(s)) return `must not end with "${s}" (S3 reserves it)`;
  return null;
}

function url(v: string): URL | null {
  try {
    return new URL(v);
  } catch {
    return null;
  }
}

/** Kubernetes quantity for a volume size, in the binary units people use for disks. */
const SIZE = /^[1-9]\d{0,5}(Mi|Gi|Ti)$/;

function oneOf<T extends string>(flag: string, v: string | undefined, allowed: readonly T[], fallback: T): T {
  if (v === undefined) return fallback;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw bad(`--${flag} must be ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)} (got "${v}")`);
}

function secretName(flag: string, v: string | undefined, fallback: string): string {
  const name = v ?? fallback;
  if (!isObjectName(name))
    throw bad(
      `--${flag} must be the name of a Kubernetes Secret (lowercase letters, digits, - and .), got "${name}"`,
    );
  return name;
}

/** Flags that only make sense for Kubernetes, by the option they fill. */
const K8S_ONLY: [keyof TeamInput, string][] = [
  ['replicas', 'replicas'],
  ['namespace', 'namespace'],
  ['s3Secret', 's3-secret'],
  ['size', 'size'],
  ['storageClass', 'storage-class'],
  ['tlsSecret', 'tls-secret'],
  ['authSecret', 'auth-secret'],
  ['upstreamSecret', 'upstream-secret'],
  ['serviceType', 'service-type'],
];

/** The checked options, or an AppError (exit code 2) that names the flag and what it should be. */
export function teamOptions(input: TeamInput): TeamOptions {
  const format = oneOf('format', input.format, ['k8s', 'compose'], TEAM_DEFAULTS.format);
  if (format === 'compose') {
    const given = K8S_ONLY.find(([k]) => input[k] !== undefined);
    if (given)
      throw bad(
        `--${given[1]} applies to --format k8s only; the compose file runs one registry and reads its ` +
          'secrets from files and environment variables beside it (docs/team.md)',
      );
  }

  let replicas: number = TEAM_DEFAULTS.replicas;
  if (input.replicas !== undefined) {
    if (!/^\d+$/.test(input.replicas)) throw bad(`--replicas takes a whole number (got "${input.replicas}")`);
    replicas = Number(input.replicas);
    if (replicas < 2 || replicas > 50)
      throw bad(
        `--replicas must be between 2 and 50 (got ${replicas}): with at least 2, a node drain or a rollout never stops the mirror`,
      );
  }

  const namespace = input.namespace ?? TEAM_DEFAULTS.namespace;
  if (!DNS_LABEL.test(namespace))
    throw bad(
      `--namespace must be a Kubernetes namespace name: up to 63 lowercase letters, digits and inner hyphens (got "${namespace}")`,
    );

  const host = input.host ?? `${APP_NAME}.${namespace}.svc.cluster.local`;
  if (!isDnsName(host.toLowerCase()))
    throw bad(
      `--host must be a DNS name like mirror.example.com, without scheme, port or path (got "${host}")`,
    );

  const storage = oneOf('storage', input.storage, ['s3', 'pvc'], TEAM_DEFAULTS.storage);
  const s3Flags: [keyof TeamInput, string][] = [
    ['bucket', 'bucket'],
    ['region', 'region'],
    ['endpoint', 'endpoint'],
    ['s3Secret', 's3-secret'],
  ];
  const pvcFlags: [keyof TeamInput, string][] = [
    ['size', 'size'],
    ['storageClass', 'storage-class'],
  ];
  const wrongStorage = (storage === 's3' ? pvcFlags : s3Flags).find(([k]) => input[k] !== undefined);
  if (wrongStorage)
    throw bad(`--${wrongStorage[1]} applies to --storage ${storage === 's3' ? 'pvc' : 's3'} only`);

  let bucket: string | undefined;
  let endpoint: string | undefined;
  const region = input.region ?? TEAM_DEFAULTS.region;
  if (storage === 's3') {
    if (input.bucket === undefined)
      throw bad(
        '--bucket is needed with --storage s3: the bucket the mirror keeps its cache in ' +
          '(or --storage pvc for a ReadWriteMany volume)',
      );
    const problem = bucketNameProblem(input.bucket);
    if (problem) throw bad(`--bucket "${input.bucket}" is not a valid S3 bucket name: it ${problem}`);
    bucket = input.bucket;
    if (!/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/.test(region))
      throw bad(`--region must be a region name like us-east-1 (got "${region}")`);
    if (input.endpoint !== undefined) {
      const u = url(input.endpoint);
      if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:') || u.username || u.password || u.search)
        throw bad(
          `--endpoint must be the URL of an S3-compatible service, like https://minio.example.com:9000 (got "${input.endpoint}")`,
        );
      endpoint = input.endpoint;
    }
  }
  const size = input.size ?? TEAM_DEFAULTS.size;
  if (!SIZE.test(size)) throw bad(`--size must be a volume size like 200Gi or 1Ti (got "${size}")`);
  if (input.storageClass !== undefined && !isObjectName(input.storageClass))
    throw bad(`--storage-class must be a StorageClass name (got "${input.storageClass}")`);

  const upstream = input.upstream ?? TEAM_DEFAULTS.upstream;
  const u = url(upstream);
  if (!u || u.protocol !== 'https:' || !u.hostname || u.username || u.password)
    throw bad(
      `--upstream must be an https:// URL without credentials in it, like ${DOCKER_HUB} (got "${upstream}"): ` +
        'a team mirror fetches over TLS only',
    );

  const upstreamSecret =
    input.upstreamSecret === undefined ? undefined : secretName('upstream-secret', input.upstreamSecret, '');
  if (input.noAuth && input.authSecret !== undefined)
    throw bad('--no-auth and --auth-secret contradict each other: give one of them');
  if (input.noAuth && upstreamSecret)
    throw bad(
      '--no-auth is refused with --upstream-secret: anyone who reaches the mirror could pull the private ' +
        'images of the upstream account. Keep authentication on (the default), or pull anonymously',
    );
  const authSecret = input.noAuth
    ? null
    : secretName('auth-secret', input.authSecret, TEAM_DEFAULTS.authSecret);

  let redis: string | undefined;
  if (input.redis !== undefined) {
    const m = /^([^:/\s]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(input.redis);
    const port = m ? Number(m[2]) : 0;
    const h = m?.[1] ?? '';
    if (!m || port < 1 || port > 65535 || !(isDnsName(h.toLowerCase()) || isIP(h.replace(/^\[|\]$/g, ''))))
      throw bad(
        `--redis must be HOST:PORT of a Redis server, like redis.internal:6379 (got "${input.redis}")`,
      );
    redis = input.redis;
  }

  const image = input.image ?? TEAM_DEFAULTS.image;
  if (!/^[a-z0-9][\w.\-/:@]*$/i.test(image) || image.length > 255)
    throw bad(`--image must be a registry 3 image reference like registry:3 (got "${image}")`);

  return {
    format,
    host: host.toLowerCase(),
    replicas,
    namespace,
    storage,
    ...(bucket ? { bucket } : {}),
    region,
    ...(endpoint ? { endpoint } : {}),
    s3Secret: secretName('s3-secret', input.s3Secret, TEAM_DEFAULTS.s3Secret),
    size,
    ...(input.storageClass ? { storageClass: input.storageClass } : {}),
    tlsSecret: secretName('tls-secret', input.tlsSecret, TEAM_DEFAULTS.tlsSecret),
    authSecret,
    ...(upstreamSecret ? { upstreamSecret } : {}),
    upstream,
    ...(redis ? { redis } : {}),
    serviceType: oneOf(
      'service-type',
      input.serviceType,
      ['LoadBalancer', 'NodePort', 'ClusterIP'],
      TEAM_DEFAULTS.serviceType,
    ),
    image,
  };
}
