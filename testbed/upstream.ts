// The stand-in for Docker Hub: a plain registry container on the test network, seeded with fixtures,
// whose access log lets tests count exactly which requests reached "Docker Hub".
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { demuxLogs } from '../app/docker/demux.js';
import { LABEL, NET, REGISTRY_IMAGE, UPSTREAM, paths } from './layout.js';

const CONFIG = `version: 0.1
log:
  level: warn
  fields:
    service: upstream
storage:
  filesystem:
    rootdirectory: /var/lib/registry
  delete:
    enabled: true
http:
  addr: :5000
`;

export async function ensureNetwork(docker: Docker): Promise<void> {
  const existing = await docker.listNetworks({ filters: { name: [NET.testNetwork] } });
  if (existing.some((n) => n.Name === NET.testNetwork)) return;
  await docker.createNetwork({ Name: NET.testNetwork, Driver: 'bridge', Labels: { [LABEL]: 'true' } });
}

/** Starts (or reuses) the upstream; returns the loopback base URL tests and the seeder use. */
export async function ensureUpstream(docker: Docker): Promise<string> {
  mkdirSync(paths.upstreamData, { recursive: true });
  mkdirSync(paths.upstreamConfig, { recursive: true });
  writeFileSync(join(paths.upstreamConfig, 'config.yml'), CONFIG);
  const container = docker.getContainer(UPSTREAM.container);
  let info: Docker.ContainerInspectInfo | undefined;
  try {
    info = await container.inspect();
  } catch {
    info = undefined;
  }
  if (!info) {
    // A pinned host port (chosen free now) stays the same when the engine restarts the container.
    const hostPort = await freeLoopbackPort();
    await docker.createContainer({
      name: UPSTREAM.container,
      Image: REGISTRY_IMAGE,
      Labels: { [LABEL]: 'true' },
      ExposedPorts: { '5000/tcp': {} },
      HostConfig: {
        Binds: [`${paths.upstreamConfig}:/etc/docker/registry:ro`, `${paths.upstreamData}:/var/lib/registry`],
        PortBindings: { '5000/tcp': [{ HostIp: '127.0.0.1', HostPort: String(hostPort) }] },
        NetworkMode: NET.testNetwork,
      },
    });
  }
  await startUpstream(docker);
  return upstreamBase(docker);
}

/** A port that is free on 127.0.0.1 right now. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

export async function upstreamBase(docker: Docker): Promise<string> {
  const info = await docker.getContainer(UPSTREAM.container).inspect();
  const port = info.NetworkSettings.Ports['5000/tcp']?.[0]?.HostPort;
  if (!port) throw new Error('upstream has no published port');
  return `http://127.0.0.1:${port}`;
}

export async function startUpstream(docker: Docker): Promise<void> {
  const c = docker.getContainer(UPSTREAM.container);
  const info = await c.inspect();
  if (!info.State.Running) await c.start();
  const base = await upstreamBase(docker);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/v2/`)).status === 200) return;
    } catch {
      /* not yet */
    }
    await sleep(50);
  }
  throw new Error('upstream registry did not become ready');
}

export async function stopUpstream(docker: Docker): Promise<void> {
  const c = docker.getContainer(UPSTREAM.container);
  if ((await c.inspect()).State.Running) await c.stop({ t: 1 });
}

export interface UpstreamRequest {
  method: string;
  path: string;
  status: number;
}

/** Every request the upstream has answered since it started, read from its access log. */
export async function upstreamRequests(docker: Docker): Promise<UpstreamRequest[]> {
  const buf = (await docker
    .getContainer(UPSTREAM.container)
    .logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
  const text = demuxLogs(buf);
  const out: UpstreamRequest[] = [];
  // Combined log format: 10.213.1.3 - - [date] "GET /v2/... HTTP/1.1" 200 123 "" "ua"
  for (const m of text.matchAll(/"(GET|HEAD|PUT|POST|PATCH|DELETE) (\S+) HTTP\/[\d.]+" (\d{3})/g)) {
    out.push({ method: m[1]!, path: m[2]!, status: Number(m[3]) });
  }
  return out;
}
