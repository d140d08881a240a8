// The same team mirror on one Docker host, as a compose file: one registry and its Redis, the config
// inline (compose's `configs.content`), TLS and htpasswd from files beside it, upstream and S3
// credentials from the environment (.env or the shell) at `docker compose up`, never in the file.
import type { TeamOptions } from './options.js';
import { REDIS_IMAGE, REDIS_MAXMEMORY_MB } from './kubernetes.js';
import { buildTeamRegistryConfig, DEBUG_PORT, REGISTRY_PORT, type MountedFiles } from './registry-config.js';
import { toYaml } from './yaml.js';

export const COMPOSE_FILES: MountedFiles = {
  tlsCertificate: '/run/secrets/tls_certificate',
  tlsKey: '/run/secrets/tls_key',
  htpasswd: '/run/secrets/htpasswd',
  dataDir: '/var/lib/registry',
};

/** Files the compose file reads, relative to it. */
export const COMPOSE_SECRET_FILES = {
  tls_certificate: './secrets/tls.crt',
  tls_key: './secrets/tls.key',
  htpasswd: './secrets/htpasswd',
} as const;

export function composeRegistryConfigText(o: TeamOptions): string {
  return toYaml(buildTeamRegistryConfig(o, COMPOSE_FILES));
}

export function composeDocument(o: TeamOptions): Record<string, unknown> {
  const environment: Record<string, string> = {
    OTEL_TRACES_EXPORTER: 'none',
    // Empty (unset in .env and the shell): anonymous pulls from the upstream.
    REGISTRY_PROXY_USERNAME: '${REGISTRY_PROXY_USERNAME:-}',
    REGISTRY_PROXY_PASSWORD: '${REGISTRY_PROXY_PASSWORD:-}',
  };
  if (o.storage === 's3') {
    environment.REGISTRY_STORAGE_S3_ACCESSKEY =
      '${REGISTRY_STORAGE_S3_ACCESSKEY:?set the bucket access key in .env or the shell}';
    environment.REGISTRY_STORAGE_S3_SECRETKEY =
      '${REGISTRY_STORAGE_S3_SECRETKEY:?set the bucket secret key in .env or the shell}';
  }
  const secrets = Object.keys(COMPOSE_SECRET_FILES).filter((s) => s !== 'htpasswd' || o.authSecret !== null);
  const registry: Record<string, unknown> = {
    image: o.image,
    restart: 'unless-stopped',
    ports: [
      `443:${REGISTRY_PORT}`,
      // Health and metrics for this host's Prometheus or node exporter only.
      `127.0.0.1:${DEBUG_PORT}:${DEBUG_PORT}`,
    ],
    environment,
    configs: [{ source: 'registry_config', target: '/etc/distribution/config.yml' }],
    secrets,
    ...(o.storage === 'pvc' ? { volumes: [`registry-data:${COMPOSE_FILES.dataDir}`] } : {}),
    healthcheck: {
      test: ['CMD', 'wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${DEBUG_PORT}/debug/health`],
      interval: '10s',
      timeout: '3s',
      retries: 3,
      start_period: '10s',
    },
    ...(o.redis ? {} : { depends_on: { redis: { condition: 'service_healthy' } } }),
  };
  const services: Record<string, unknown> = { registry };
  if (!o.redis)
    services.redis = {
      image: REDIS_IMAGE,
      restart: 'unless-stopped',
      command: [
        'redis-server',
        '--maxmemory',
        `${REDIS_MAXMEMORY_MB}mb`,
        '--maxmemory-policy',
        'allkeys-lru',
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      healthcheck: { test: ['CMD', 'redis-cli', 'ping'], interval: '10s', timeout: '3s', retries: 3 },
    };
  return {
    name: 'registry-mirror',
    services,
    configs: { registry_config: { content: composeRegistryConfigText(o) } },
    secrets: Object.fromEntries(
      secrets.map((s) => [s, { file: COMPOSE_SECRET_FILES[s as keyof typeof COMPOSE_SECRET_FILES] }]),
    ),
    ...(o.storage === 'pvc' ? { volumes: { 'registry-data': {} } } : {}),
  };
}
