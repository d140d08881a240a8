// The test bed: a private dockerd, a locally built registry image, and a seeded stand-in for Docker Hub.
// `ensureTestbed` is idempotent and reuses what already runs; `teardown` leaves nothing behind.
import { readFileSync, writeFileSync } from 'node:fs';
import type Docker from 'dockerode';
import {
  baseDaemonConfig,
  engine,
  mountsUnder,
  removeBridge,
  removeTestbedDir,
  startDockerd,
  stopDockerd,
  tlsEndpoint,
  writeDaemonConfig,
} from './dockerd.js';
import { seedUpstream, type MultiImage, type PushedImage } from './fixtures.js';
import { LABEL, NET, REGISTRY_IMAGE, UPSTREAM, paths } from './layout.js';
import { buildRegistryImage, imageExists } from './registry-image.js';
import { ensureNetwork, ensureUpstream } from './upstream.js';

export interface TestbedInfo {
  /** DOCKER_HOST for the product and the docker CLI */
  dockerHost: string;
  socketPath: string;
  /** the network the mirror joins to reach the upstream */
  network: string;
  /** the upstream as the mirror sees it */
  upstreamUrl: string;
  /** the upstream as the host sees it (seeding, request counting) */
  upstreamHostUrl: string;
  registryImage: string;
  dockerdPid: number;
  /** true when this process started the engine (and so stops it) */
  started: boolean;
  /** the same engine over TCP with mutual TLS (tcp://127.0.0.1:PORT), like a docker-machine VM's */
  tlsHost: string;
  /** ca.pem, cert.pem and key.pem for tlsHost: a DOCKER_CERT_PATH */
  tlsCertDir: string;
  /** the engine's daemon.json (dockerd runs with --config-file) */
  daemonJson: string;
}

export interface Fixtures {
  images: PushedImage[];
  multi: MultiImage;
}

export async function ensureTestbed(): Promise<TestbedInfo & { fixtures: Fixtures }> {
  const existing = readState();
  const pid = await startDockerd();
  const started = existing?.dockerdPid !== pid;
  const docker = engine();
  if (!(await imageExists(docker, REGISTRY_IMAGE))) await buildRegistryImage(docker, [REGISTRY_IMAGE]);
  await ensureNetwork(docker);
  const upstreamHostUrl = await ensureUpstream(docker);
  const fixtures = await seedUpstream(upstreamHostUrl);
  const tls = await tlsEndpoint();
  const info: TestbedInfo = {
    dockerHost: `unix://${paths.socket}`,
    socketPath: paths.socket,
    network: NET.testNetwork,
    upstreamUrl: UPSTREAM.url,
    upstreamHostUrl,
    registryImage: REGISTRY_IMAGE,
    dockerdPid: pid,
    started,
    tlsHost: tls.dockerHost,
    tlsCertDir: tls.certDir,
    daemonJson: paths.daemonJson,
  };
  writeFileSync(paths.state, JSON.stringify(info, null, 2));
  return { ...info, fixtures };
}

export function readState(): TestbedInfo | undefined {
  try {
    return JSON.parse(readFileSync(paths.state, 'utf8')) as TestbedInfo;
  } catch {
    return undefined;
  }
}

/** Removes every container and network the suite made, keeping the engine and its images. */
export async function cleanEngine(docker: Docker, keepUpstream = true): Promise<void> {
  const containers = await docker.listContainers({ all: true });
  for (const c of containers) {
    if (keepUpstream && c.Names.includes(`/${UPSTREAM.container}`)) continue;
    await docker.getContainer(c.Id).remove({ force: true, v: true });
  }
  for (const n of await docker.listNetworks()) {
    if (['bridge', 'host', 'none'].includes(n.Name)) continue;
    if (keepUpstream && n.Name === NET.testNetwork) continue;
    await docker.getNetwork(n.Id).remove();
  }
}

export async function teardown(): Promise<void> {
  try {
    await cleanEngine(engine(), false);
  } catch {
    /* engine already gone */
  }
  await stopDockerd();
  removeBridge();
  // Reset the daemon config for the next run (the directory goes anyway).
  if (mountsUnder(paths.dir).length === 0) removeTestbedDir();
  else writeDaemonConfig(baseDaemonConfig());
}

export { LABEL };
