// Generates the registry's config.yml from typed settings, for the registry's major version.
import { stringify } from 'yaml';
import type { MirrorSettings } from './settings.js';

import type { RegistryMajor } from './registry-major.js';

export { registryMajorOf, type RegistryMajor } from './registry-major.js';

/** The port the registry listens on inside its container, and its debug (metrics) port. */
export const REGISTRY_PORT = 5000;
export const DEBUG_PORT = 5001;

/** Where each major version reads its configuration (registry:2 vs registry:3 images). */
export function configPathFor(major: RegistryMajor): string {
  return major === 3 ? '/etc/distribution/config.yml' : '/etc/docker/registry/config.yml';
}

export interface RegistryConfigDoc {
  [key: string]: unknown;
}

/**
 * proxy: a pull-through cache of the upstream. offline: the same storage served as a plain, read-only
 * registry, for when the upstream cannot be reached: 2.8 cannot even start in proxy mode then, and asks
 * the upstream before every cached tag (10 s or forever when it does not answer).
 */
export type MirrorMode = 'proxy' | 'offline';

export function buildRegistryConfig(
  s: MirrorSettings,
  major: RegistryMajor,
  mode: MirrorMode = 'proxy',
): RegistryConfigDoc {
  const proxy: Record<string, unknown> = { remoteurl: s.upstreamUrl };
  // The registry's own expiry ignores use and deletes blobs other repositories share; the app owns retention.
  // 2.8 hard-codes the TTL but acts only with storage.delete enabled, which stays off. 3.x: ttl 0 = off.
  if (major === 3) proxy.ttl = 0;
  const debug: Record<string, unknown> = { addr: `:${DEBUG_PORT}` };
  if (major === 3) debug.prometheus = { enabled: true, path: '/metrics' };
  // No blob descriptor cache: prunes sweep blobs while the registry serves, and a cached descriptor of
  // a deleted blob makes it answer 500 instead of fetching the blob again (blobserver.go serves the
  // cached size from a file that is gone). Without it, each blob request stats two local files.
  const storage: Record<string, unknown> = {
    filesystem: { rootdirectory: '/var/lib/registry' },
  };
  // Offline, nothing may write: no pushes into the cache, no upload purging.
  if (mode === 'offline')
    storage.maintenance = { readonly: { enabled: true }, uploadpurging: { enabled: false } };
  return {
    version: 0.1,
    // JSON lines: the app reads the access log to track pulls.
    log: { level: 'info', formatter: 'json', fields: { service: 'registry' } },
    storage,
    http: {
      addr: `:${REGISTRY_PORT}`,
      headers: { 'X-Content-Type-Options': ['nosniff'] },
      debug,
    },
    health: { storagedriver: { enabled: true, interval: '10s', threshold: 3 } },
    // Credentials never go here: the container gets them as REGISTRY_PROXY_USERNAME/PASSWORD.
    ...(mode === 'proxy' ? { proxy } : {}),
  };
}

export function renderRegistryConfig(
  s: MirrorSettings,
  major: RegistryMajor,
  mode: MirrorMode = 'proxy',
): string {
  return (
    '# Written by docker-registry-proxy-cache; edits are replaced when the settings change.\n' +
    stringify(buildRegistryConfig(s, major, mode), { lineWidth: 0 })
  );
}
