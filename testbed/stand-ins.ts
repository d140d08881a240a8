// Stand-ins for registries besides Docker Hub (ghcr.io, quay.io): plain registries on the test network
// under the registry's own name (a network alias, so only containers of the test bed resolve it), serving
// the stand-in Docker Hub's seeded store read-only, each with its own access log to count what reached it.
// A process on the host resolves the names through hostsFileFor() (a private /etc/hosts, see ctr tests).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { demuxLogs } from '../app/docker/demux.js';
import { LABEL, NET, REGISTRY_IMAGE, TESTBED_DIR, UPSTREAM, paths } from './layout.js';
import { ensureTlsMaterial, serverCertFor } from './tls.js';
import { freeLoopbackPort, type UpstreamRequest } from './upstream.js';

const CONFIG = `version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: /var/lib/registry
  maintenance:
    readonly:
      enabled: true
http:
  addr: :5000
`;

export function standInName(host: string): string {
  return `${UPSTREAM.container}-${host.replace(/[^a-z0-9.-]/g, '-')}`;
}

/** Starts (or reuses) the stand-in for `host`; returns the URL a mirror on the test network uses. */
export async function ensureStandIn(docker: Docker, host: string): Promise<string> {
  const name = standInName(host);
  const config = join(TESTBED_DIR, `stand-in-${host}`);
  mkdirSync(config, { recursive: true });
  writeFileSync(join(config, 'config.yml'), CONFIG);
  await runAliased(docker, {
    name,
    image: REGISTRY_IMAGE,
    alias: host,
    binds: [`${config}:/etc/docker/registry:ro`, `${paths.upstreamData}:/var/lib/registry:ro`],
    publish: false,
  });
  return `http://${host}:5000`;
}

/** The stand-in's address on the test network, where the host reaches it directly (the bridge). */
export async function standInAddress(docker: Docker, host: string): Promise<string> {
  const info = await docker.getContainer(standInName(host)).inspect();
  const ip = info.NetworkSettings.Networks[NET.testNetwork]?.IPAddress;
  if (!ip) throw new Error(`${host}'s stand-in has no address on ${NET.testNetwork}`);
  return ip;
}

export async function removeStandIn(docker: Docker, host: string): Promise<void> {
  await docker
    .getContainer(standInName(host))
    .remove({ force: true })
    .catch(() => undefined);
}

/** Every request the stand-in for `host` answered, from its access log. */
export async function standInRequests(docker: Docker, host: string): Promise<UpstreamRequest[]> {
  const buf = (await docker
    .getContainer(standInName(host))
    .logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
  const out: UpstreamRequest[] = [];
  for (const m of demuxLogs(buf).matchAll(/"(GET|HEAD|PUT|POST|PATCH|DELETE) (\S+) HTTP\/[\d.]+" (\d{3})/g))
    out.push({ method: m[1]!, path: m[2]!, status: Number(m[3]) });
  return out;
}

/** An /etc/hosts naming each stand-in (and the stand-in Docker Hub) by the address the host reaches. */
export async function hostsFileFor(docker: Docker, hosts: string[], file: string): Promise<void> {
  const lines = ['127.0.0.1 localhost'];
  for (const h of hosts) lines.push(`${await standInAddress(docker, h)} ${h}`);
  const hub = await docker.getContainer(UPSTREAM.container).inspect();
  const hubIp = hub.NetworkSettings.Networks[NET.testNetwork]?.IPAddress;
  if (hubIp) lines.push(`${hubIp} ${new URL(UPSTREAM.url).hostname}`);
  writeFileSync(file, lines.join('\n') + '\n');
}

/**
 * A stand-in served over HTTPS under `host` with a certificate from the test bed's own CA (a team mirror
 * behind a private CA), published on a loopback port so the host's probe reaches it too. Returns its URL
 * on the test network and the CA file that signed it.
 */
export async function ensureTlsStandIn(docker: Docker, host: string): Promise<{ url: string; ca: string }> {
  const files = ensureTlsMaterial(paths.tls);
  const { cert, key } = serverCertFor(files, `stand-in-${host}`, [host, '127.0.0.1']);
  const name = standInName(host);
  const config = join(TESTBED_DIR, `stand-in-${host}`);
  mkdirSync(config, { recursive: true });
  writeFileSync(
    join(config, 'config.yml'),
    CONFIG.replace(
      'http:\n  addr: :5000\n',
      'http:\n  addr: :5000\n  tls:\n    certificate: /etc/docker/registry/tls/cert.pem\n    key: /etc/docker/registry/tls/key.pem\n',
    ),
  );
  mkdirSync(join(config, 'tls'), { recursive: true });
  writeFileSync(join(config, 'tls', 'cert.pem'), readFileSync(cert));
  writeFileSync(join(config, 'tls', 'key.pem'), readFileSync(key));
  await runAliased(docker, {
    name,
    image: REGISTRY_IMAGE,
    alias: host,
    binds: [`${config}:/etc/docker/registry:ro`, `${paths.upstreamData}:/var/lib/registry:ro`],
    publish: true,
  });
  return { url: `https://${host}:5000`, ca: files.ca };
}

/**
 * Starts (or reuses) a registry container on the test network under `alias` (the name the mirrors
 * use), optionally published on a loopback port (for probes from this machine).
 */
export async function runAliased(
  docker: Docker,
  o: { name: string; image: string; alias: string; binds: string[]; publish: boolean },
): Promise<void> {
  const c = docker.getContainer(o.name);
  const info = await c.inspect().catch(() => undefined);
  if (!info)
    await docker.createContainer({
      name: o.name,
      Image: o.image,
      Labels: { [LABEL]: 'true' },
      ExposedPorts: { '5000/tcp': {} },
      HostConfig: {
        Binds: o.binds,
        NetworkMode: NET.testNetwork,
        ...(o.publish
          ? {
              PortBindings: {
                '5000/tcp': [{ HostIp: '127.0.0.1', HostPort: String(await freeLoopbackPort()) }],
              },
            }
          : {}),
      },
      NetworkingConfig: { EndpointsConfig: { [NET.testNetwork]: { Aliases: [o.alias] } } },
    });
  if (!info?.State.Running) await c.start();
}
