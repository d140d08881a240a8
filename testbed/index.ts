// The test bed: a private dockerd, a locally built registry image, and a seeded stand-in for Docker Hub.
// `ensureTestbed` is idempotent and reuses what already runs; `teardown` leaves nothing behind.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { sep } from 'node:path';
import { parseDockerHost } from '../app/docker/connection.js';
import { pullImage } from '../app/mirror/image.js';
import type Docker from 'dockerode';
import {
  baseDaemonConfig,
  engine,
  mountsUnder,
  NO_ENGINE_CONTROL,
  removeBridge,
  removeTestbedDir,
  startDockerd,
  stopDockerd,
  tlsEndpoint,
  writeDaemonConfig,
} from './dockerd.js';
import { seedUpstream, type MultiImage, type PushedImage } from './fixtures.js';
import { EXTERNAL_HOST, LABEL, MIRROR_IMAGE, NET, REGISTRY_IMAGE, UPSTREAM, paths } from './layout.js';
import { removeSuiteImages } from './suite-images.js';
import { buildRegistry3Image, buildRegistryImage, imageExists } from './registry-image.js';
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
  /** the image of the stand-in upstream (registry:2) */
  registryImage: string;
  /** the image the suite's mirrors run: registry:2, or registry:3 with DRPC_REGISTRY=3 */
  mirrorImage: string;
  dockerdPid: number;
  /** true when this process started the engine (and so stops it) */
  started: boolean;
  /** the same engine over TCP with mutual TLS (tcp://127.0.0.1:PORT), like a docker-machine VM's */
  tlsHost: string;
  /** ca.pem, cert.pem and key.pem for tlsHost: a DOCKER_CERT_PATH */
  tlsCertDir: string;
  /** the engine's daemon.json (dockerd runs with --config-file) */
  daemonJson: string;
  /**
   * Why tests that restart, kill, reconfigure or mount things on the engine cannot run (an engine the
   * suite does not own: DRPC_TEST_DOCKER_HOST), or undefined when they can.
   */
  noEngineControl?: string;
}

export interface Fixtures {
  images: PushedImage[];
  multi: MultiImage;
}

export async function ensureTestbed(): Promise<TestbedInfo & { fixtures: Fixtures }> {
  if (EXTERNAL_HOST) return ensureOnExternalEngine(EXTERNAL_HOST);
  const existing = readState();
  const pid = await startDockerd();
  const started = existing?.dockerdPid !== pid;
  const docker = engine();
  if (!(await imageExists(docker, REGISTRY_IMAGE))) await buildRegistryImage(docker, [REGISTRY_IMAGE]);
  if (!(await imageExists(docker, MIRROR_IMAGE))) await buildRegistry3Image(docker, [MIRROR_IMAGE]);
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
    mirrorImage: MIRROR_IMAGE,
    dockerdPid: pid,
    started,
    tlsHost: tls.dockerHost,
    tlsCertDir: tls.certDir,
    daemonJson: paths.daemonJson,
  };
  writeFileSync(paths.state, JSON.stringify(info, null, 2));
  return { ...info, fixtures };
}

/**
 * The same test bed on an engine someone else runs (Docker Desktop): no dockerd of ours, the upstream
 * and its network named after this checkout, nothing else on the engine touched.
 */
async function ensureOnExternalEngine(host: string): Promise<TestbedInfo & { fixtures: Fixtures }> {
  const docker = engine();
  try {
    await docker.ping();
  } catch (err) {
    throw new Error(`DRPC_TEST_DOCKER_HOST=${host} does not answer: ${(err as Error).message}`, {
      cause: err,
    });
  }
  mkdirSync(paths.dir, { recursive: true });
  if (!(await imageExists(docker, REGISTRY_IMAGE))) await obtainRegistryImage(docker);
  if (!(await imageExists(docker, MIRROR_IMAGE))) await pullImage(docker, MIRROR_IMAGE);
  await ensureNetwork(docker);
  const upstreamHostUrl = await ensureUpstream(docker);
  const fixtures = await seedUpstream(upstreamHostUrl);
  const parsed = parseDockerHost(host);
  const info: TestbedInfo = {
    dockerHost: host,
    socketPath: parsed.scheme === 'unix' ? parsed.socketPath : '',
    network: NET.testNetwork,
    upstreamUrl: UPSTREAM.url,
    upstreamHostUrl,
    registryImage: REGISTRY_IMAGE,
    mirrorImage: MIRROR_IMAGE,
    dockerdPid: 0,
    started: false,
    tlsHost: '',
    tlsCertDir: '',
    daemonJson: '',
    noEngineControl: NO_ENGINE_CONTROL,
  };
  writeFileSync(paths.state, JSON.stringify(info, null, 2));
  return { ...info, fixtures };
}

/** Docker Desktop can pull registry:2; a Linux engine without a network gets the scratch-built one. */
async function obtainRegistryImage(docker: Docker): Promise<void> {
  try {
    await pullImage(docker, REGISTRY_IMAGE);
  } catch (err) {
    if (!existsSync('/usr/bin/docker-registry'))
      throw new Error(`cannot pull ${REGISTRY_IMAGE} (${(err as Error).message}) and cannot build it here`, {
        cause: err,
      });
    await buildRegistryImage(docker, [REGISTRY_IMAGE]);
  }
}

export function readState(): TestbedInfo | undefined {
  try {
    return JSON.parse(readFileSync(paths.state, 'utf8')) as TestbedInfo;
  } catch {
    return undefined;
  }
}

/**
 * Removes every container and network the suite made, keeping the engine and its images. On an
 * engine the suite does not own, "made by the suite" is narrow: the test bed's labelled things, and
 * mirrors whose data directory is one of the suite's temp dirs (a user's own mirror keeps its own).
 */
export async function cleanEngine(docker: Docker, keepUpstream = true): Promise<void> {
  const containers = await docker.listContainers({ all: true });
  for (const c of containers) {
    if (keepUpstream && c.Names.includes(`/${UPSTREAM.container}`)) continue;
    if (EXTERNAL_HOST && !madeBySuite(c.Labels ?? {}, c.Names)) continue;
    await docker.getContainer(c.Id).remove({ force: true, v: true });
  }
  for (const n of await docker.listNetworks()) {
    if (['bridge', 'host', 'none'].includes(n.Name)) continue;
    if (keepUpstream && n.Name === NET.testNetwork) continue;
    if (EXTERNAL_HOST && n.Name !== NET.testNetwork) continue;
    await docker.getNetwork(n.Id).remove();
  }
}

/** On a shared engine: only the test bed's own containers and mirrors serving a suite's temp dir. */
export function madeBySuite(labels: Record<string, string>, names: string[]): boolean {
  if (names.includes(`/${UPSTREAM.container}`)) return true;
  const dataDir = labels['io.drpc.data-dir'];
  return labels['io.drpc.managed'] !== undefined && !!dataDir && dataDir.startsWith(tmpdir() + sep + 'drpc');
}

export async function teardown(): Promise<void> {
  if (EXTERNAL_HOST) {
    // Someone else's engine: remove what the suite made, stop nothing.
    await cleanEngine(engine(), false);
    await removeSuiteImages(engine());
    rmSync(paths.dir, { recursive: true, force: true });
    return;
  }
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
