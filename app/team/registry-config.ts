// Distribution 3.x's config.yml for a team mirror: stateless replicas over one store (S3 or a shared
// volume), Redis as the blob-descriptor cache they share, TLS and htpasswd on the serving port, health
// and Prometheus metrics on the debug port. Secrets are never written here: the registry reads them
// from its environment (REGISTRY_PROXY_*, REGISTRY_STORAGE_S3_*) and from mounted files.
import { DEBUG_PORT, REGISTRY_PORT, type RegistryConfigDoc } from '../mirror/registry-config.js';
import type { TeamOptions } from './options.js';

export { DEBUG_PORT, REGISTRY_PORT };

/** Where the registry reads the files mounted from Secrets, per format. */
export interface MountedFiles {
  tlsCertificate: string;
  tlsKey: string;
  htpasswd: string;
  /** the shared volume's mount point (pvc storage) */
  dataDir: string;
}

export const REDIS_PORT = 6379;

export function redisAddress(o: TeamOptions): string {
  return o.redis ?? `${o.format === 'k8s' ? 'registry-mirror-redis' : 'redis'}:${REDIS_PORT}`;
}

export function buildTeamRegistryConfig(o: TeamOptions, files: MountedFiles): RegistryConfigDoc {
  const storage: Record<string, unknown> = {};
  if (o.storage === 's3') {
    storage.s3 = {
      region: o.region,
      bucket: o.bucket,
      // 3.x needs path-style addressing with a custom endpoint (its s3 driver docs; distribution#4528).
      ...(o.endpoint ? { regionendpoint: o.endpoint, forcepathstyle: true } : {}),
      rootdirectory: '/registry-mirror',
      // accesskey and secretkey come from REGISTRY_STORAGE_S3_ACCESSKEY / _SECRETKEY.
    };
    // Serve blobs through the registry instead of redirecting clients to presigned bucket URLs: clients
    // (nodes, CI runners) then need to reach the mirror only, not the bucket's endpoint.
    storage.redirect = { disable: true };
  } else {
    storage.filesystem = { rootdirectory: files.dataDir };
  }
  // Shared by every replica: a blob one replica fetched is known to the others without a storage stat.
  storage.cache = { blobdescriptor: 'redis' };

  const http: Record<string, unknown> = {
    addr: `:${REGISTRY_PORT}`,
    host: `https://${o.host}`,
    // A pod being stopped finishes the pulls in flight first (below terminationGracePeriodSeconds).
    draintimeout: '20s',
    headers: { 'X-Content-Type-Options': ['nosniff'] },
    tls: { certificate: files.tlsCertificate, key: files.tlsKey },
    // Health (/debug/health) and Prometheus metrics (/metrics): plain HTTP, never published outside.
    debug: { addr: `:${DEBUG_PORT}`, prometheus: { enabled: true, path: '/metrics' } },
  };

  return {
    version: 0.1,
    log: { level: 'info', formatter: 'json', fields: { service: 'registry-mirror' } },
    storage,
    http,
    ...(o.authSecret === null
      ? {}
      : { auth: { htpasswd: { realm: 'registry-mirror', path: files.htpasswd } } }),
    // go-redis UniversalOptions keys (3.x): `addrs` is a list; 2.8's `addr` and `pool:` are gone.
    redis: {
      addrs: [redisAddress(o)],
      db: 0,
      dialtimeout: '2s',
      readtimeout: '1s',
      writetimeout: '1s',
      poolsize: 32,
    },
    health: { storagedriver: { enabled: true, interval: '10s', threshold: 3 } },
    proxy: {
      remoteurl: o.upstream,
      // username and password come from REGISTRY_PROXY_USERNAME / _PASSWORD.
      // 0 turns 3.x's expiry scheduler off: every replica would run its own over the one store, and
      // expiry deletes blobs other repositories share (docs/team.md, retention).
      ttl: 0,
    },
  };
}
