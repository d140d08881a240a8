// Where the test bed keeps its private engine and what it names things.
// Everything lives under one directory outside the checkout (unix socket paths must stay short).
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { suiteRegistry } from './registry3.js';

const checkout = resolve(import.meta.dirname, '..');
const tag = createHash('sha256').update(checkout).digest('hex').slice(0, 8);

/**
 * Several test beds can run side by side on one machine (a soak run beside the suite, two developers):
 * DRPC_TESTBED_INSTANCE=N (0 to 9, default 0) gives instance N its own directory, bridge and address pool.
 */
export const INSTANCE = testbedInstance(process.env.DRPC_TESTBED_INSTANCE);
export function testbedInstance(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0;
  if (!/^[0-9]$/.test(raw))
    throw new Error(`DRPC_TESTBED_INSTANCE must be a digit 0 to 9, got ${JSON.stringify(raw)}`);
  return Number(raw);
}
const suffix = INSTANCE === 0 ? '' : `-${INSTANCE}`;

/**
 * An engine the suite does not own (Docker Desktop on a Mac): set DRPC_TEST_DOCKER_HOST to its
 * DOCKER_HOST (unix:// or tcp:// without TLS). The suite then starts no dockerd, never reconfigures,
 * restarts or kills the engine, names what it creates after this checkout, removes only that, and
 * skips, with the reason, the tests that need control of the engine.
 */
export const EXTERNAL_HOST = process.env.DRPC_TEST_DOCKER_HOST || undefined;
/** On an engine shared with other things, the suite's own names carry this checkout's tag. */
const own = EXTERNAL_HOST ? `-${tag}` : '';
export const TESTBED_DIR =
  process.env.DRPC_TESTBED_DIR ?? join(tmpdir(), `drpc-tb-${tag}${EXTERNAL_HOST ? '-ext' : suffix}`);
export const paths = {
  dir: TESTBED_DIR,
  socket: join(TESTBED_DIR, 'docker.sock'),
  dataRoot: join(TESTBED_DIR, 'data'),
  execRoot: join(TESTBED_DIR, 'exec'),
  pidfile: join(TESTBED_DIR, 'dockerd.pid'),
  daemonJson: join(TESTBED_DIR, 'daemon.json'),
  log: join(TESTBED_DIR, 'dockerd.log'),
  state: join(TESTBED_DIR, 'state.json'),
  upstreamData: join(TESTBED_DIR, 'upstream-data'),
  upstreamConfig: join(TESTBED_DIR, 'upstream-config'),
  build: join(TESTBED_DIR, 'build'),
  /** CA, server and client certificates for dockerd's TLS listener (the client half is a DOCKER_CERT_PATH) */
  tls: join(TESTBED_DIR, 'tls'),
  /** the loopback port of dockerd's TLS listener, chosen once per test bed directory */
  tlsPort: join(TESTBED_DIR, 'tls-port'),
};

/** Pinned addresses: every container and network instance N's engine makes lives in 10.(213+N).0.0/16. */
const octet = 213 + INSTANCE;
export const NET = {
  bridge: `drpc-tb${INSTANCE}`,
  bridgeCidr: `10.${octet}.7.1/24`,
  bridgeGateway: `10.${octet}.7.1`,
  pool: `10.${octet}.0.0/16`,
  testNetwork: `drpc-tb-net${own}`,
};

/** A loopback port nothing listens on: dockerd's fall-back to Docker Hub goes there and is refused. */
export const REFUSING_PROXY = 'http://127.0.0.1:9';

export const UPSTREAM = {
  container: `drpc-tb-upstream${own}`,
  /** How the mirror (on the test network) reaches the stand-in for Docker Hub. */
  url: `http://drpc-tb-upstream${own}:5000`,
};

/** The registry image the test bed builds FROM scratch; tagged as the product's default too. */
export const REGISTRY_IMAGE = 'registry:2';
/** The image of the suite's mirrors: registry:3 (the product's default), or registry:2 (registry3.ts). */
export const MIRROR_IMAGE = `registry:${suiteRegistry().version}`;
export const LABEL = 'io.drpc.testbed';
