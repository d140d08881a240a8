// The container we want, as dockerode create options plus a hash of everything that defines it.
import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import {
  configPathFor,
  DEBUG_PORT,
  REGISTRY_PORT,
  type MirrorMode,
  type RegistryMajor,
} from './registry-config.js';
import { MIRROR_LABEL, mirrorDirs, type MirrorSettings, type UpstreamCredentials } from './settings.js';

export const LABELS = {
  managed: MIRROR_LABEL,
  role: 'io.drpc.role',
  hash: 'io.drpc.config-hash',
  dataDir: 'io.drpc.data-dir',
  mode: 'io.drpc.mode',
  /**
   * 'off' on containers whose registry keeps no blob descriptors in memory, so blobs can be swept while
   * it serves (prune/sweep.ts); older containers lack it and are pruned stopped.
   */
  blobCache: 'io.drpc.blob-descriptor-cache',
} as const;

export interface ContainerSpec {
  create: Docker.ContainerCreateOptions;
  hash: string;
  /** environment that carries secrets; compared with the live container, never hashed into a label */
  secretEnv: string[];
}

export function credentialEnv(creds?: UpstreamCredentials | null): string[] {
  if (!creds) return [];
  return [`REGISTRY_PROXY_USERNAME=${creds.username}`, `REGISTRY_PROXY_PASSWORD=${creds.password}`];
}

export interface SpecOptions {
  /**
   * The data directory is a path on the engine's host (a docker-machine VM), not on this one: only the
   * data is bind-mounted, and config.yml is copied into the container (configArchive) before it starts.
   */
  remoteStorage?: boolean;
  /** proxy or offline (recorded in a label; the config text, and so the hash, differs too) */
  mode?: MirrorMode;
  /** the upstream's CA (PEM text), in the config directory's upstream-ca/ (see UPSTREAM_CA_DIR) */
  upstreamCa?: string;
}

/** Where the upstream's CA goes, under the config directory on the host and in the container. */
export const UPSTREAM_CA_DIR = 'upstream-ca';

export function containerSpec(
  s: MirrorSettings,
  major: RegistryMajor,
  configText: string,
  creds?: UpstreamCredentials | null,
  opts: SpecOptions = {},
): ContainerSpec {
  const dirs = mirrorDirs(s);
  const configPath = configPathFor(major);
  const configDir = configPath.slice(0, configPath.lastIndexOf('/'));
  const secretEnv = credentialEnv(creds);
  const remote = opts.remoteStorage === true;
  // Everything that, when changed, needs a new container. Secrets stay out (labels are readable by anyone).
  const identity = {
    image: s.image,
    configText,
    port: s.port,
    bindAddress: s.bindAddress,
    dataDir: s.dataDir,
    network: s.network,
    restartPolicy: s.restartPolicy,
    major,
    // Only when set, so the hash of every existing local container stays the same.
    ...(remote ? { storage: 'engine-host' } : {}),
    ...(opts.upstreamCa ? { upstreamCa: createHash('sha256').update(opts.upstreamCa).digest('hex') } : {}),
  };
  const hash = createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 16);
  const create: Docker.ContainerCreateOptions = {
    name: s.containerName,
    Image: s.image,
    // Go reads every file of each SSL_CERT_DIR directory besides the usual CA bundle: the system's
    // roots stay trusted, and the upstream's CA is added (not a secret: a certificate).
    Env: opts.upstreamCa
      ? [...secretEnv, `SSL_CERT_DIR=/etc/ssl/certs:${configDir}/${UPSTREAM_CA_DIR}`]
      : secretEnv,
    Labels: {
      [LABELS.managed]: 'true',
      [LABELS.role]: 'mirror',
      [LABELS.hash]: hash,
      [LABELS.dataDir]: s.dataDir,
      [LABELS.mode]: opts.mode ?? 'proxy',
      [LABELS.blobCache]: 'off',
    },
    ExposedPorts: { [`${REGISTRY_PORT}/tcp`]: {}, [`${DEBUG_PORT}/tcp`]: {} },
    HostConfig: {
      Binds: remote
        ? [`${dirs.data}:/var/lib/registry:rw`]
        : [`${dirs.config}:${configDir}:ro`, `${dirs.data}:/var/lib/registry:rw`],
      PortBindings: {
        [`${REGISTRY_PORT}/tcp`]: [{ HostIp: s.bindAddress, HostPort: String(s.port) }],
        // Metrics stay on loopback whatever the bind address; the engine picks a free host port.
        [`${DEBUG_PORT}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: '' }],
      },
      RestartPolicy: { Name: s.restartPolicy },
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
    },
  };
  return { create, hash, secretEnv };
}

/** Whether a live container still matches the spec (hash label and secret environment). */
export function matchesSpec(info: Docker.ContainerInspectInfo, spec: ContainerSpec): boolean {
  if (info.Config.Labels?.[LABELS.hash] !== spec.hash) return false;
  const env = new Set(info.Config.Env ?? []);
  const secretKeys = ['REGISTRY_PROXY_USERNAME=', 'REGISTRY_PROXY_PASSWORD='];
  const liveSecrets = [...env].filter((e) => secretKeys.some((k) => e.startsWith(k))).sort();
  return JSON.stringify(liveSecrets) === JSON.stringify([...spec.secretEnv].sort());
}

/** A tar archive holding config.yml at the image's config path, for putArchive at `/` (remote storage). */
export function configArchive(major: RegistryMajor, configText: string): Buffer {
  const name = configPathFor(major).replace(/^\//, '');
  const data = Buffer.from(configText, 'utf8');
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) =>
    header.write(value, offset, length, 'ascii');
  const octal = (n: number, width: number) => n.toString(8).padStart(width - 1, '0') + '\0';
  field(0, 100, name);
  field(100, 8, octal(0o644, 8));
  field(108, 8, octal(0, 8));
  field(116, 8, octal(0, 8));
  field(124, 12, octal(data.length, 12));
  field(136, 12, octal(0, 12));
  field(148, 8, '        '); // the checksum counts its own field as spaces
  field(156, 1, '0');
  field(257, 8, 'ustar\u000000');
  let sum = 0;
  for (const byte of header) sum += byte;
  field(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, padding, Buffer.alloc(1024)]);
}
