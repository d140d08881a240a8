// The team mirror's config.yml on the real registry 3.1.1 binary (built from the vendored source by the
// test bed, the suite's default; DRPC_REGISTRY=2 runs the suite on 2.8 and skips this). Its parser ignores unknown keys (manifests.test.ts checks those);
// this shows the registry accepts the rendered values and serves as the probes expect: `/` answers 200
// on the TLS port without credentials, `/v2/` asks for them (htpasswd on), the debug port serves
// /debug/health (readiness) and Prometheus metrics, and a storage it cannot reach turns readiness off
// while the TLS port still accepts connections (liveness). It also shows why liveness is no HTTP check
// on that port: while a health check fails, the registry answers every request there, `/` included, 503. Only what cannot be had here is changed, through the registry's own
// REGISTRY_* variables: listening addresses (free loopback ports) and the upstream (a local stand-in,
// since the registry asks its upstream at start).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { request } from 'node:https';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../testbed/eventually.js';
import { freePort, tempDir } from '../../testbed/helpers.js';
import { registry3Binary, suiteRegistry } from '../../testbed/registry3.js';
import { teamOptions, type TeamInput } from './options.js';
import { buildTeamRegistryConfig } from './registry-config.js';
import { toYaml } from './yaml.js';

const execFileP = promisify(execFile);
const SKIP = 'needs the registry 3 binary (DRPC_REGISTRY=2 runs the suite on 2.8 and builds none)';

/** GET over TLS to the registry's self-signed certificate: the status and one header. */
function tlsGet(port: number, path: string): Promise<{ status: number; challenge?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, rejectUnauthorized: false }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          challenge: res.headers['www-authenticate'] as string | undefined,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function plainGet(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}

const running: { proc?: ChildProcess; upstream?: Server }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    if (r.proc?.pid && r.proc.exitCode === null) r.proc.kill('SIGKILL');
    await new Promise<void>((res) => (r.upstream ? r.upstream.close(() => res()) : res()));
  }
});

async function serve(input: TeamInput, env: Record<string, string> = {}) {
  const dir = tempDir('drpc-team-r3-');
  const files = {
    tlsCertificate: join(dir, 'tls.crt'),
    tlsKey: join(dir, 'tls.key'),
    htpasswd: join(dir, 'htpasswd'),
    dataDir: join(dir, 'data'),
  };
  await execFileP('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-keyout', files.tlsKey, '-out', files.tlsCertificate,
  ]); // prettier-ignore
  writeFileSync(files.htpasswd, `someone:$2y$05$${'a'.repeat(53)}\n`);
  const config = join(dir, 'config.yml');
  writeFileSync(config, toYaml(buildTeamRegistryConfig(teamOptions(input), files)));
  // A stand-in upstream: the registry pings /v2/ when it starts in proxy mode.
  const upstream = createServer((req, res) => {
    res.writeHead(req.url === '/v2/' ? 200 : 404, { 'content-type': 'application/json' }).end('{}');
  });
  const entry: { proc?: ChildProcess; upstream?: Server } = { upstream };
  running.push(entry);
  await new Promise<void>((res) => upstream.listen(0, '127.0.0.1', () => res()));
  const upstreamPort = (upstream.address() as { port: number }).port;
  const [port, debug] = [await freePort(), await freePort()];
  const log: string[] = [];
  const proc = spawn(await registry3Binary(), ['serve', config], {
    env: {
      PATH: process.env.PATH,
      OTEL_TRACES_EXPORTER: 'none',
      REGISTRY_HTTP_ADDR: `127.0.0.1:${port}`,
      REGISTRY_HTTP_DEBUG_ADDR: `127.0.0.1:${debug}`,
      REGISTRY_PROXY_REMOTEURL: `http://127.0.0.1:${upstreamPort}`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  entry.proc = proc;
  proc.stdout!.on('data', (d: Buffer) => log.push(d.toString()));
  proc.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
  const answered = await eventually(async () => {
    if (proc.exitCode !== null) throw new Error(`registry exited ${proc.exitCode}:\n${log.join('')}`);
    return tlsGet(port, '/');
  });
  return { port, debug, answered, log };
}

describe('the rendered config.yml on the real registry 3.1.1', () => {
  it('shared volume: serves / openly, asks for credentials on /v2/, is ready, exports metrics', async (ctx) => {
    if (suiteRegistry().version !== 3) ctx.skip(SKIP);
    const r = await serve({ storage: 'pvc', host: 'mirror.example.com' });
    expect(r.answered.status).toBe(200);
    expect(await tlsGet(r.port, '/v2/')).toEqual({ status: 401, challenge: 'Basic realm="registry-mirror"' });
    await eventually(async () => expect((await plainGet(r.debug, '/debug/health')).status).toBe(200));
    const metrics = await plainGet(r.debug, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^registry_/m);
    expect(r.log.join('')).toContain('using redis blob descriptor cache');
  });

  it('S3 it cannot reach: not ready on /debug/health, still accepting connections', async (ctx) => {
    if (suiteRegistry().version !== 3) ctx.skip(SKIP);
    // A port nothing listens on; the storage check every second instead of every 10 s, to see it sooner.
    const r = await serve(
      { bucket: 'team-mirror-cache', endpoint: `http://127.0.0.1:${await freePort()}`, noAuth: true },
      {
        REGISTRY_STORAGE_S3_ACCESSKEY: 'test-access',
        REGISTRY_STORAGE_S3_SECRETKEY: 'test-secret',
        REGISTRY_HEALTH_STORAGEDRIVER_INTERVAL: '1s',
      },
    );
    expect(r.answered.status).toBe(200);
    await eventually(async () => expect((await plainGet(r.debug, '/debug/health')).status).toBe(503));
    // health.Handler wraps the whole serving port, `/` included: only a TCP check tells alive from ready.
    expect((await tlsGet(r.port, '/')).status).toBe(503);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(r.port, '127.0.0.1', () => {
        socket.end();
        resolve();
      });
      socket.on('error', reject);
    });
    expect(r.log.join('')).toContain('backend redirection disabled');
  });
});
