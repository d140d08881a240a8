import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import Docker from 'dockerode';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  EngineConfigError,
  describeEndpoint,
  dockerodeOptions,
  endpointFromUrl,
  parseDockerHost,
  resolveEndpoint,
  type EngineEndpoint,
  type ResolveOptions,
} from './connection.js';

let tmp: string;
let home: string;
let dockerDir: string;

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'drpc-conn-'));
  home = join(tmp, 'home');
  dockerDir = join(home, '.docker');
  await mkdir(dockerDir, { recursive: true });
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(tmp, { recursive: true, force: true });
});

function resolve(env: NodeJS.ProcessEnv, extra: ResolveOptions = {}): Promise<EngineEndpoint> {
  return resolveEndpoint({ env, homeDir: home, platform: 'linux', exists: () => false, ...extra });
}

async function expectConfigError(
  promise: Promise<unknown>,
  ...fragments: string[]
): Promise<EngineConfigError> {
  const err = await promise.then(
    () => expect.fail('expected an EngineConfigError'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EngineConfigError);
  const configErr = err as EngineConfigError;
  expect(configErr.code).toBe('ENGINE_CONFIG');
  for (const f of fragments) expect(configErr.message).toContain(f);
  return configErr;
}

async function writePems(dir: string, files: Partial<Record<'ca' | 'cert' | 'key', string>>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, `${name}.pem`), content);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

async function writeContext(
  configDir: string,
  name: string,
  host: string,
  opts: { skipTLSVerify?: boolean; tls?: Partial<Record<'ca' | 'cert' | 'key', string>> } = {},
): Promise<string> {
  const metaDir = join(configDir, 'contexts', 'meta', sha256(name));
  await mkdir(metaDir, { recursive: true });
  const meta = {
    Name: name,
    Metadata: { Description: `${name} engine` },
    Endpoints: { docker: { Host: host, SkipTLSVerify: opts.skipTLSVerify ?? false } },
  };
  await writeFile(join(metaDir, 'meta.json'), JSON.stringify(meta));
  if (opts.tls) await writePems(join(configDir, 'contexts', 'tls', sha256(name), 'docker'), opts.tls);
  return join(metaDir, 'meta.json');
}

async function writeConfig(configDir: string, config: unknown): Promise<void> {
  await mkdir(configDir, { recursive: true });
  await writeFile(join(configDir, 'config.json'), JSON.stringify(config));
}

describe('DOCKER_HOST', () => {
  it('uses a unix socket and wins over DOCKER_CONTEXT and config.json', async () => {
    await writeFile(join(dockerDir, 'config.json'), '{ not json');
    const ep = await resolve({ DOCKER_HOST: 'unix:///tmp/engine.sock', DOCKER_CONTEXT: 'colima' });
    expect(ep).toEqual({
      kind: 'unix',
      socketPath: '/tmp/engine.sock',
      source: { from: 'DOCKER_HOST' },
      description: 'unix:///tmp/engine.sock (DOCKER_HOST)',
    });
  });

  it('uses plain tcp with the default port 2375 when TLS is off', async () => {
    expect(await resolve({ DOCKER_HOST: 'tcp://10.1.2.3' })).toEqual({
      kind: 'tcp',
      host: '10.1.2.3',
      port: 2375,
      protocol: 'http',
      source: { from: 'DOCKER_HOST' },
      description: 'tcp://10.1.2.3:2375 (DOCKER_HOST)',
    });
    const explicit = await resolve({ DOCKER_HOST: 'tcp://engine.lan:4243', DOCKER_TLS_VERIFY: '0' });
    expect(explicit).toMatchObject({ host: 'engine.lan', port: 4243, protocol: 'http' });
    expect(explicit).not.toHaveProperty('tls');
  });

  it('verifies TLS with the certificates in DOCKER_CERT_PATH and defaults to port 2376', async () => {
    const certs = join(tmp, 'certs');
    await writePems(certs, { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' });
    const ep = await resolve({
      DOCKER_HOST: 'tcp://engine.lan',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: certs,
    });
    expect(ep).toMatchObject({ kind: 'tcp', host: 'engine.lan', port: 2376, protocol: 'https' });
    if (ep.kind !== 'tcp') throw new Error('tcp expected');
    expect(ep.tls?.verify).toBe(true);
    expect(ep.tls?.ca?.toString()).toBe('CA PEM');
    expect(ep.tls?.cert?.toString()).toBe('CERT PEM');
    expect(ep.tls?.key?.toString()).toBe('KEY PEM');
    expect(ep.description).toBe('tcp://engine.lan:2376 (DOCKER_HOST; TLS)');
  });

  it('reads certificates from ~/.docker when DOCKER_CERT_PATH is unset', async () => {
    await writePems(dockerDir, { ca: 'HOME CA' });
    const ep = await resolve({ DOCKER_HOST: 'tcp://engine.lan:2376', DOCKER_TLS_VERIFY: 'yes' });
    expect(ep.kind === 'tcp' && ep.tls?.ca?.toString()).toBe('HOME CA');
  });

  it('uses TLS without verification for DOCKER_TLS=1, ignoring the CA', async () => {
    const certs = join(tmp, 'certs');
    await writePems(certs, { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' });
    const ep = await resolve({
      DOCKER_HOST: 'tcp://engine.lan:2376',
      DOCKER_TLS: '1',
      DOCKER_CERT_PATH: certs,
    });
    expect(ep).toMatchObject({ protocol: 'https', tls: { verify: false } });
    if (ep.kind !== 'tcp') throw new Error('tcp expected');
    expect(ep.tls?.ca).toBeUndefined();
    expect(ep.tls?.cert?.toString()).toBe('CERT PEM');
    expect(ep.description).toBe('tcp://engine.lan:2376 (DOCKER_HOST; TLS without verification)');

    const bare = await resolve({
      DOCKER_HOST: 'tcp://engine.lan',
      DOCKER_TLS: '1',
      DOCKER_CERT_PATH: join(tmp, 'none'),
    });
    expect(bare).toMatchObject({ port: 2376, protocol: 'https', tls: { verify: false } });
  });

  it('names the missing certificate file', async () => {
    const certs = join(tmp, 'certs');
    await writePems(certs, { cert: 'CERT PEM', key: 'KEY PEM' });
    const env = { DOCKER_HOST: 'tcp://engine.lan', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs };
    const err = await expectConfigError(resolve(env), join(certs, 'ca.pem'));
    expect(err.file).toBe(join(certs, 'ca.pem'));

    await writePems(certs, { ca: 'CA PEM' });
    await rm(join(certs, 'key.pem'));
    await expectConfigError(resolve(env), join(certs, 'key.pem'));
  });

  it('ignores TLS settings for a unix socket', async () => {
    const ep = await resolve({
      DOCKER_HOST: 'unix:///tmp/e.sock',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: '/nope',
    });
    expect(ep).toMatchObject({ kind: 'unix', socketPath: '/tmp/e.sock' });
  });

  it('refuses ssh:// and npipe:// with a clear reason', async () => {
    await expectConfigError(
      resolve({ DOCKER_HOST: 'ssh://me@build-box' }),
      'ssh://me@build-box',
      'not supported',
    );
    await expectConfigError(
      resolve({ DOCKER_HOST: 'npipe:////./pipe/docker_engine' }),
      'named pipe',
      'not supported',
    );
  });
});

describe('parseDockerHost', () => {
  it('parses the forms the docker CLI accepts', () => {
    expect(parseDockerHost('unix:///var/run/x.sock')).toEqual({
      scheme: 'unix',
      socketPath: '/var/run/x.sock',
    });
    expect(parseDockerHost('unix://')).toEqual({ scheme: 'unix', socketPath: '/var/run/docker.sock' });
    expect(parseDockerHost(' localhost:1234 ')).toEqual({ scheme: 'tcp', host: 'localhost', port: 1234 });
    expect(parseDockerHost('tcp://:2375')).toEqual({ scheme: 'tcp', host: 'localhost', port: 2375 });
    expect(parseDockerHost('tcp://[::1]:2376/')).toEqual({ scheme: 'tcp', host: '::1', port: 2376 });
  });

  it('rejects what dockerode cannot use', () => {
    expect(() => parseDockerHost('')).toThrow(EngineConfigError);
    expect(() => parseDockerHost('http://engine:2375')).toThrow(/unsupported scheme "http:\/\/"/);
    expect(() => parseDockerHost('tcp://engine:99999')).toThrow(/not a valid tcp/);
    expect(() => parseDockerHost('tcp://engine:2375/v1')).toThrow(/base path/);
  });
});

describe('contexts', () => {
  it.each([
    ['desktop-linux', '.docker/run/docker.sock'],
    ['colima', '.colima/default/docker.sock'],
    ['orbstack', '.orbstack/run/docker.sock'],
  ])('uses currentContext %s from config.json', async (name, socket) => {
    const file = await writeContext(dockerDir, name, `unix://${join(home, socket)}`);
    await writeConfig(dockerDir, { auths: {}, currentContext: name });
    expect(await resolve({})).toEqual({
      kind: 'unix',
      socketPath: join(home, socket),
      source: { from: 'context', name, file },
      description: `unix://${join(home, socket)} (context ${name})`,
    });
  });

  it('stores a context under the sha256 of its name', async () => {
    await writeConfig(dockerDir, { currentContext: 'desktop-linux' });
    const metaDir = join(
      dockerDir,
      'contexts/meta/fe9c6bd7a66301f49ca9b6a70b217107cd1284598bfc254700c989b916da791e',
    );
    await mkdir(metaDir, { recursive: true });
    await writeFile(join(metaDir, 'meta.json'), '{"Endpoints":{"docker":{"Host":"unix:///d.sock"}}}');
    expect(await resolve({})).toMatchObject({ socketPath: '/d.sock' });
  });

  it('prefers DOCKER_CONTEXT over config.json, and honours DOCKER_CONFIG', async () => {
    const configDir = join(tmp, 'elsewhere');
    await writeContext(configDir, 'colima', 'unix:///colima.sock');
    const file = await writeContext(configDir, 'orbstack', 'unix:///orbstack.sock');
    await writeConfig(configDir, { currentContext: 'colima' });
    const ep = await resolve({ DOCKER_CONFIG: configDir, DOCKER_CONTEXT: 'orbstack' });
    expect(ep).toMatchObject({
      socketPath: '/orbstack.sock',
      source: { from: 'context', name: 'orbstack', file },
    });
    expect(await resolve({ DOCKER_CONFIG: configDir })).toMatchObject({ socketPath: '/colima.sock' });
  });

  it('finds ~/.docker through $HOME, as the docker CLI does', async () => {
    await writeContext(dockerDir, 'colima', 'unix:///colima.sock');
    await writeConfig(dockerDir, { currentContext: 'colima' });
    const ep = await resolveEndpoint({ env: { HOME: home }, platform: 'linux' });
    expect(ep).toMatchObject({ socketPath: '/colima.sock', source: { from: 'context', name: 'colima' } });
  });

  it('treats "default" as no context', async () => {
    await writeConfig(dockerDir, { currentContext: 'default' });
    const expected = { kind: 'unix', socketPath: '/var/run/docker.sock', source: { from: 'default' } };
    expect(await resolve({})).toMatchObject(expected);
    await writeConfig(dockerDir, { currentContext: 'colima' });
    expect(await resolve({ DOCKER_CONTEXT: 'default' })).toMatchObject(expected);
  });

  it('uses no context when config.json is absent or has no currentContext', async () => {
    expect(await resolve({})).toMatchObject({
      socketPath: '/var/run/docker.sock',
      source: { from: 'default' },
    });
    await writeConfig(dockerDir, { auths: {} });
    expect(await resolve({})).toMatchObject({
      socketPath: '/var/run/docker.sock',
      source: { from: 'default' },
    });
  });

  it('fails on a config.json that is not JSON, naming the file', async () => {
    const file = join(dockerDir, 'config.json');
    await writeFile(file, '{"currentContext": "colima",');
    const err = await expectConfigError(resolve({}), file, 'not valid JSON');
    expect(err.file).toBe(file);
  });

  it('fails on a context without meta.json, naming the context and the file', async () => {
    await writeConfig(dockerDir, { currentContext: 'colima' });
    const meta = join(dockerDir, 'contexts', 'meta', sha256('colima'), 'meta.json');
    await expectConfigError(resolve({}), '"colima"', meta);
    await expectConfigError(resolve({ DOCKER_CONTEXT: 'ghost' }), '"ghost"', sha256('ghost'));
  });

  it('fails on a context whose meta.json has no docker host', async () => {
    const file = await writeContext(dockerDir, 'broken', '');
    await expectConfigError(resolve({ DOCKER_CONTEXT: 'broken' }), '"broken"', file);
  });

  it('uses the TLS material stored with a tcp context', async () => {
    await writeContext(dockerDir, 'remote', 'tcp://engine.lan', {
      tls: { ca: 'CTX CA', cert: 'CTX CERT', key: 'CTX KEY' },
    });
    const ep = await resolve({ DOCKER_CONTEXT: 'remote' });
    expect(ep).toMatchObject({ kind: 'tcp', host: 'engine.lan', port: 2376, protocol: 'https' });
    if (ep.kind !== 'tcp') throw new Error('tcp expected');
    expect(ep.tls?.verify).toBe(true);
    expect([ep.tls?.ca, ep.tls?.cert, ep.tls?.key].map(String)).toEqual(['CTX CA', 'CTX CERT', 'CTX KEY']);
    expect(ep.description).toBe('tcp://engine.lan:2376 (context remote; TLS)');
  });

  it('uses https without verification for SkipTLSVerify, and plain http without TLS material', async () => {
    await writeContext(dockerDir, 'insecure', 'tcp://engine.lan:2376', { skipTLSVerify: true });
    await writeContext(dockerDir, 'plain', 'tcp://engine.lan:2375');
    expect(await resolve({ DOCKER_CONTEXT: 'insecure' })).toMatchObject({
      protocol: 'https',
      tls: { verify: false },
    });
    const plain = await resolve({ DOCKER_CONTEXT: 'plain' });
    expect(plain).toMatchObject({ protocol: 'http', port: 2375 });
    expect(plain).not.toHaveProperty('tls');
  });

  it('names the context when its host is unsupported', async () => {
    await writeContext(dockerDir, 'builder', 'ssh://me@build-box');
    await expectConfigError(
      resolve({ DOCKER_CONTEXT: 'builder' }),
      'context "builder"',
      'ssh://',
      'not supported',
    );
  });
});

describe('default socket', () => {
  it('is /var/run/docker.sock off macOS, without probing', async () => {
    const exists = vi.fn(() => false);
    const ep = await resolve({}, { exists });
    expect(ep).toEqual({
      kind: 'unix',
      socketPath: '/var/run/docker.sock',
      source: { from: 'default' },
      description: 'unix:///var/run/docker.sock (default)',
    });
    expect(exists).not.toHaveBeenCalled();
  });

  it('is /var/run/docker.sock on macOS when it exists', async () => {
    const ep = await resolve({}, { platform: 'darwin', exists: (p) => p === '/var/run/docker.sock' });
    expect(ep).toMatchObject({
      socketPath: '/var/run/docker.sock',
      source: { probed: ['/var/run/docker.sock'] },
    });
    expect(describeEndpoint(ep)).toBe('unix:///var/run/docker.sock (default)');
  });

  it('falls back on macOS to Docker Desktop, then Colima, then OrbStack', async () => {
    const desktop = join(home, '.docker/run/docker.sock');
    const colima = join(home, '.colima/default/docker.sock');
    const orbstack = join(home, '.orbstack/run/docker.sock');
    const onMac = (present: string[]) =>
      resolve({}, { platform: 'darwin', exists: (p) => present.includes(p) });

    const both = await onMac([orbstack, colima]);
    expect(both).toMatchObject({
      socketPath: colima,
      source: { from: 'default', probed: ['/var/run/docker.sock', desktop, colima] },
      description: `unix://${colima} (Colima; /var/run/docker.sock not found)`,
    });
    expect(await onMac([orbstack, desktop])).toMatchObject({
      socketPath: desktop,
      description: `unix://${desktop} (Docker Desktop; /var/run/docker.sock not found)`,
    });
    expect(await onMac([orbstack])).toMatchObject({
      socketPath: orbstack,
      description: `unix://${orbstack} (OrbStack; /var/run/docker.sock not found)`,
    });
  });

  it('keeps /var/run/docker.sock on macOS when nothing exists, listing what was probed', async () => {
    const ep = await resolve({}, { platform: 'darwin' });
    const probed = ['/var/run/docker.sock', '.docker/run', '.colima/default', '.orbstack/run'].map((p, i) =>
      i === 0 ? p : join(home, p, 'docker.sock'),
    );
    expect(ep).toMatchObject({ socketPath: '/var/run/docker.sock', source: { from: 'default', probed } });
    expect(ep.description).toBe(
      `unix:///var/run/docker.sock (default; no engine socket found at ${probed.join(', ')})`,
    );
  });
});

describe('dockerodeOptions', () => {
  it('gives a socketPath for unix', () => {
    const opts = dockerodeOptions(endpointFromUrl('unix:///tmp/e.sock'));
    expect(opts).toEqual({ socketPath: '/tmp/e.sock', protocol: 'http' });
    // Present (as undefined) so that docker-modem's own DOCKER_HOST reading cannot override them.
    expect(opts).toHaveProperty('host', undefined);
  });

  it('gives host, port and protocol for plain tcp', () => {
    const opts = dockerodeOptions(endpointFromUrl('tcp://engine.lan:2375'));
    expect(opts).toEqual({ host: 'engine.lan', port: 2375, protocol: 'http' });
  });

  it('gives ca, cert and key for verified TLS', () => {
    const tls = { ca: Buffer.from('ca'), cert: Buffer.from('cert'), key: Buffer.from('key'), verify: true };
    const opts = dockerodeOptions(endpointFromUrl('tcp://engine.lan', tls));
    expect(opts).toEqual({ host: 'engine.lan', port: 2376, protocol: 'https', ...tls, verify: undefined });
    expect(opts).not.toHaveProperty('agent');
  });

  it('gives an agent that skips verification for unverified TLS', () => {
    const opts = dockerodeOptions(endpointFromUrl('tcp://engine.lan:2376', { verify: false }));
    expect(opts).toMatchObject({ host: 'engine.lan', port: 2376, protocol: 'https' });
    expect(
      (opts as { agent?: { options: { rejectUnauthorized?: boolean } } }).agent?.options.rejectUnauthorized,
    ).toBe(false);
  });
});

// A self-signed certificate for localhost/127.0.0.1 (serverAuth + clientAuth, valid 2000-2100): test material only.
const FIXTURE_CERT = `-----BEGIN CERTIFICATE-----
MIIBkzCCATmgAwIBAgIBATAKBggqhkjOPQQDAjAUMRIwEAYDVQQDDAlsb2NhbGhv
c3QwIBcNMDAwMTAxMDAwMDAwWhgPMjEwMDAxMDEwMDAwMDBaMBQxEjAQBgNVBAMM
CWxvY2FsaG9zdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABIPPuBE6Td9OPiQQ
X/ysl0F3V4dlap8wOzQgJ9qVHje4dr/uJI+K0H0lpWkyKd+aSNDTB/k1hNAKR0de
kYXX+0yjejB4MA8GA1UdEwEB/wQFMAMBAf8wGgYDVR0RBBMwEYIJbG9jYWxob3N0
hwR/AAABMB0GA1UdJQQWMBQGCCsGAQUFBwMBBggrBgEFBQcDAjALBgNVHQ8EBAMC
AoQwHQYDVR0OBBYEFIumvQZbPxOJ3j/Bmzz2pMf+FRZcMAoGCCqGSM49BAMCA0gA
MEUCIQDhwtMsxCmWD46E6PWFNULjGLUZgFBlHBDNxcYsyDyMYQIgdugD5KIfKHUt
QTtIDWNb+3T0tz+mJB30+59dx2uzBos=
-----END CERTIFICATE-----
`;
const FIXTURE_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgoTrLI5kvnAnLhxiv
LH0XiAkIDnGxLyAbG19lw/HWai6hRANCAASDz7gROk3fTj4kEF/8rJdBd1eHZWqf
MDs0ICfalR43uHa/7iSPitB9JaVpMinfmkjQ0wf5NYTQCkdHXpGF1/tM
-----END PRIVATE KEY-----
`;

describe('connecting for real', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((done) => s.close(done));
    }
  });

  /** A fake engine that answers GET /_ping and records what it was asked (and whether the client cert was valid). */
  function fakeEngine(server: Server): string[] {
    const seen: string[] = [];
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket as Partial<TLSSocket>;
      seen.push(`${req.method} ${req.url}${socket.authorized ? ' (client cert)' : ''}`);
      if (req.method === 'GET' && req.url === '/_ping')
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK');
      else res.writeHead(404).end();
    });
    servers.push(server);
    return seen;
  }

  /** Listens on a unix socket path, or on a free port of 127.0.0.1 and returns that port. */
  const listen = (server: Server, socketPath?: string) =>
    new Promise<number>((done) => {
      const ready = () => done(socketPath ? 0 : (server.address() as AddressInfo).port);
      if (socketPath) server.listen(socketPath, ready);
      else server.listen(0, '127.0.0.1', ready);
    });

  it('pings an engine on a unix socket named by DOCKER_HOST', async () => {
    const socketPath = join(tmp, 'engine.sock');
    const server = createHttpServer();
    const seen = fakeEngine(server);
    await listen(server, socketPath);
    // docker-modem also reads process.env itself: a stray tcp DOCKER_HOST there must not win.
    vi.stubEnv('DOCKER_HOST', 'tcp://127.0.0.1:1');

    const ep = await resolve({ DOCKER_HOST: `unix://${socketPath}` });
    const reply: unknown = await new Docker(dockerodeOptions(ep)).ping();
    expect(String(reply)).toBe('OK');
    expect(seen).toEqual(['GET /_ping']);
  });

  it('pings an engine over plain tcp', async () => {
    const server = createHttpServer();
    const seen = fakeEngine(server);
    const port = await listen(server);

    const ep = await resolve({ DOCKER_HOST: `tcp://127.0.0.1:${port}` });
    expect(String(await new Docker(dockerodeOptions(ep)).ping())).toBe('OK');
    expect(seen).toEqual(['GET /_ping']);
  });

  it('pings an engine over TLS with client certificates, verified or not', async () => {
    const server = createHttpsServer({
      cert: FIXTURE_CERT,
      key: FIXTURE_KEY,
      ca: FIXTURE_CERT,
      requestCert: true,
      rejectUnauthorized: true,
    });
    const seen = fakeEngine(server);
    const port = await listen(server);
    const certs = join(tmp, 'certs');
    await writePems(certs, { ca: FIXTURE_CERT, cert: FIXTURE_CERT, key: FIXTURE_KEY });
    const env = { DOCKER_HOST: `tcp://localhost:${port}`, DOCKER_CERT_PATH: certs };

    const verified = await resolve({ ...env, DOCKER_TLS_VERIFY: '1' });
    expect(String(await new Docker(dockerodeOptions(verified)).ping())).toBe('OK');

    const unverified = await resolve({ ...env, DOCKER_TLS: '1' });
    expect(unverified.kind === 'tcp' && unverified.tls?.ca).toBeUndefined();
    expect(String(await new Docker(dockerodeOptions(unverified)).ping())).toBe('OK');
    expect(seen).toEqual(['GET /_ping (client cert)', 'GET /_ping (client cert)']);

    // Without the CA, verification must fail: the agent is what makes the unverified case pass.
    const noCa = endpointFromUrl(env.DOCKER_HOST, {
      cert: Buffer.from(FIXTURE_CERT),
      key: Buffer.from(FIXTURE_KEY),
      verify: true,
    });
    await expect(new Docker(dockerodeOptions(noCa)).ping()).rejects.toThrow(/self[- ]signed/i);
  });
});
