// A team mirror on the test bed, from the files `drpc team manifests` renders: registry 3 replicas over
// one shared store (the compose/pvc layout), TLS from the test bed's CA and htpasswd in the registry as
// the rendered config.yml has them, Debian's redis-server as their shared blob-descriptor cache, and one
// name for all of them (a network alias: Docker's DNS answers with the running replicas, as a
// Kubernetes Service does), proxying the stand-in Docker Hub.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import bcrypt from 'bcryptjs';
import type Docker from 'dockerode';
import { TEAM_DEFAULTS, type TeamOptions } from '../app/team/options.js';
import { buildTeamRegistryConfig } from '../app/team/registry-config.js';
import { toYaml } from '../app/team/yaml.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { WAIT_MS } from './deadline.js';
import { NET, TESTBED_DIR, UPSTREAM, paths } from './layout.js';
import { runAliased } from './stand-ins.js';
import { ensureTlsMaterial, serverCertFor } from './tls.js';
import { freeLoopbackPort } from './upstream.js';

export interface TeamMirror {
  host: string;
  url: string;
  ca: string;
  replicas: string[];
  redis: ChildProcess;
  username: string;
  password: string;
  store: string;
}

/** The test network's gateway: this machine as the containers on it reach it. */
async function gatewayOf(docker: Docker): Promise<string> {
  const net = await docker.getNetwork(NET.testNetwork).inspect();
  const gw = (net.IPAM?.Config ?? []).map((c: { Gateway?: string }) => c.Gateway).find(Boolean);
  if (!gw) throw new Error(`${NET.testNetwork} has no gateway`);
  return gw;
}

/** redis-server on the test network's gateway, no persistence; stopped by its PID. */
async function startRedis(bind: string, port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    [
      '--bind',
      bind,
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'no',
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  );
  // Polled until it accepts a connection (a benchmark uses this too: no vitest here).
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: bind, port }, () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${bind}:${port}`);
    await sleep(50);
  }
  return child;
}

export async function startTeamMirror(docker: Docker, image: string, replicas = 2): Promise<TeamMirror> {
  const id = `team-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
  const host = `${id}.drpc.test`;
  const dir = join(TESTBED_DIR, id);
  const store = join(dir, 'store');
  const config = join(dir, 'config');
  mkdirSync(store, { recursive: true });
  mkdirSync(join(config, 'tls'), { recursive: true });
  const tls = ensureTlsMaterial(paths.tls);
  const cert = serverCertFor(tls, id, [host, '127.0.0.1']);
  writeFileSync(join(config, 'tls', 'cert.pem'), readFileSync(cert.cert));
  writeFileSync(join(config, 'tls', 'key.pem'), readFileSync(cert.key));
  const username = 'laptop';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  writeFileSync(join(config, 'htpasswd'), `${username}:${bcrypt.hashSync(password, 10)}\n`);
  const gateway = await gatewayOf(docker);
  const redisPort = await freeLoopbackPort();
  const redis = await startRedis(gateway, redisPort, dir);
  const o: TeamOptions = {
    ...TEAM_DEFAULTS,
    format: 'compose',
    host,
    storage: 'pvc',
    redis: `${gateway}:${redisPort}`,
    upstream: UPSTREAM.url,
  };
  const doc = buildTeamRegistryConfig(o, {
    tlsCertificate: '/etc/distribution/tls/cert.pem',
    tlsKey: '/etc/distribution/tls/key.pem',
    htpasswd: '/etc/distribution/htpasswd',
    dataDir: '/var/lib/registry',
  });
  writeFileSync(join(config, 'config.yml'), toYaml(doc));
  const names: string[] = [];
  for (let i = 1; i <= replicas; i++) {
    const name = `drpc-tb-${id}-${i}`;
    await runAliased(docker, {
      name,
      image,
      alias: host,
      binds: [`${config}:/etc/distribution:ro`, `${store}:/var/lib/registry`],
      publish: true,
    });
    names.push(name);
  }
  return { host, url: `https://${host}:5000`, ca: tls.ca, replicas: names, redis, username, password, store };
}

export async function stopTeamMirror(docker: Docker, t: TeamMirror): Promise<void> {
  for (const r of t.replicas)
    await docker
      .getContainer(r)
      .remove({ force: true })
      .catch(() => undefined);
  if (t.redis.exitCode === null) t.redis.kill('SIGTERM');
}
