// The input of every client editor: which registry goes to which mirror, one mirror per upstream
// (Distribution serves exactly one upstream per instance). Checked once here, before any file is read,
// so bad input changes nothing and says what is wrong in the user's words.
import { isLoopbackHost } from '../engines/docker-desktop.js';
import { configureError } from '../errors.js';

export interface MirrorEntry {
  /** the registry as image names spell it: docker.io, ghcr.io, quay.io, registry.k8s.io, host:port */
  registry: string;
  /** the mirror serving it, http://host:port or https://host:port */
  mirrorUrl: string;
  /**
   * where the registry itself answers, when the mirror does not (hosts.toml's `server`): the mirror's
   * upstream; absent, the registry's public address (https://<registry>, Docker Hub's for docker.io)
   */
  server?: string;
}

/** An entry after checking: the mirror split into what each file format wants. */
export interface CheckedEntry extends MirrorEntry {
  /** scheme://host[:port], no path and no trailing slash (hosts.toml, registries.yaml endpoints) */
  mirrorUrl: string;
  /** host[:port] as BuildKit's `mirrors` and registries.conf's mirror `location` spell it */
  mirrorHost: string;
  /** true for http: (BuildKit `http = true`, registries.conf `insecure = true`) */
  plainHttp: boolean;
}

const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;

/** A registry host name as image references name it (lower case, optional port). */
export function checkRegistry(registry: string): string {
  if (!HOST.test(registry) || registry.length > 253)
    throw configureError(
      'BAD_NAME',
      `"${registry}" is not a registry host name (like docker.io, ghcr.io or registry.example.com:5000)`,
    );
  return registry;
}

/** The mirror URL: http or https, a host, an optional port, nothing else. */
export function checkMirrorUrl(mirrorUrl: string): { url: string; host: string; plainHttp: boolean } {
  let u: URL;
  try {
    u = new URL(mirrorUrl);
  } catch {
    throw configureError('BAD_NAME', `"${mirrorUrl}" is not a URL: give the mirror as http://HOST:PORT`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw configureError('BAD_NAME', `the mirror must be an http or https URL (got "${mirrorUrl}")`);
  if (u.username || u.password || u.search || u.hash || (u.pathname !== '/' && u.pathname !== ''))
    throw configureError(
      'BAD_NAME',
      `the mirror must be the root of a host, like http://HOST:PORT, with no path, query or credentials (got "${mirrorUrl}")`,
    );
  return { url: `${u.protocol}//${u.host}`, host: u.host, plainHttp: u.protocol === 'http:' };
}

/** A registry's own address (hosts.toml's server): http or https, scheme and host only. */
export function checkServerUrl(server: string): string {
  let u: URL;
  try {
    u = new URL(server);
  } catch {
    throw configureError('BAD_NAME', `"${server}" is not a URL: give the registry as https://HOST`);
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password)
    throw configureError(
      'BAD_NAME',
      `the registry must be an http or https URL without credentials (got "${server}")`,
    );
  return `${u.protocol}//${u.host}`;
}

/**
 * Checks every entry; `forNodes` (kind, k3d) refuses loopback mirrors: a cluster node is a container,
 * where localhost is the node itself.
 */
export function checkEntries(
  entries: readonly MirrorEntry[],
  opts: { forNodes?: string } = {},
): CheckedEntry[] {
  if (entries.length === 0)
    throw configureError('BAD_NAME', 'no registry given: name at least one registry and its mirror');
  const seen = new Set<string>();
  return entries.map((e) => {
    const registry = checkRegistry(e.registry);
    if (seen.has(registry))
      throw configureError('BAD_NAME', `${registry} is given twice: one mirror per registry`);
    seen.add(registry);
    const m = checkMirrorUrl(e.mirrorUrl);
    const hostname = new URL(m.url).hostname;
    if (opts.forNodes && (isLoopbackHost(hostname) || hostname === '0.0.0.0' || hostname === '[::]'))
      throw configureError(
        'BAD_NAME',
        `${opts.forNodes} nodes are containers: ${m.url} there means the node itself, not this machine. ` +
          'Give the mirror as an address a node can reach: host.docker.internal (Docker Desktop), ' +
          "this machine's LAN address, or the mirror container's name on the cluster's network",
        { mirrorUrl: e.mirrorUrl },
      );
    const server = e.server === undefined ? undefined : checkServerUrl(e.server);
    return {
      registry,
      mirrorUrl: m.url,
      mirrorHost: m.host,
      plainHttp: m.plainHttp,
      ...(server ? { server } : {}),
    };
  });
}
