// Team mirror under load: N clients (default 20) pull a ~100 MB image at once through the team mirror
// (testbed/team.ts: two registry 3 replicas from the rendered config, TLS, htpasswd, one store, Redis),
// half through each replica, each blob checked against its digest. Reports failures and how many times
// the stand-in Docker Hub sent each blob (concurrent first pulls of one blob may each fetch it).
// Run: npm run bench -- team [clients]   (as root; uses the test bed with registry:3)
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { rootCertificates } from 'node:tls';
import { engine } from '../testbed/dockerd.js';
import { makeImage } from '../testbed/fixtures.js';
import { ensureTestbed } from '../testbed/index.js';
import { MEDIA, RegistryPusher } from '../testbed/push.js';
import { startTeamMirror, stopTeamMirror } from '../testbed/team.js';
import { upstreamRequests } from '../testbed/upstream.js';
import { ms } from './stats.js';

const MB = 1024 * 1024;
const REPO = 'library/bench-team';

/** GET over https with the team's CA and account; the body, or a failure with the status. */
function get(url: string, ca: string, auth: string, accept?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        ca: [...rootCertificates, ca],
        headers: { authorization: auth, ...(accept ? { accept } : {}) },
        timeout: 120_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(Buffer.concat(chunks))
            : reject(new Error(`${url}: ${res.statusCode}`)),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url}: timeout`)));
    req.on('error', reject);
    req.end();
  });
}

export async function main(args: string[]): Promise<void> {
  const clients = Number(args[0] ?? 20);
  const tb = await ensureTestbed();
  const docker = engine();
  const img = await makeImage({
    repo: REPO,
    tags: ['latest'],
    layers: [40, 30, 20, 10].map((size, i) => ({ seed: `bench-team-${i}`, size: size * MB })),
  });
  const pusher = new RegistryPusher(tb.upstreamHostUrl);
  for (const l of img.layers) await pusher.pushBlob(REPO, l.blob);
  await pusher.pushBlob(REPO, img.config);
  await pusher.putManifest(REPO, 'latest', MEDIA.manifest, img.manifest);

  const team = await startTeamMirror(docker, 'registry:3');
  try {
    const ca = readFileSync(team.ca, 'utf8');
    const auth = `Basic ${Buffer.from(`${team.username}:${team.password}`).toString('base64')}`;
    const ports: string[] = [];
    for (const r of team.replicas) {
      const info = await docker.getContainer(r).inspect();
      ports.push(info.NetworkSettings.Ports['5000/tcp']![0]!.HostPort);
    }
    const before = (await upstreamRequests(docker)).length;
    const t0 = Date.now();
    const results = await Promise.allSettled(
      Array.from({ length: clients }, async (_, i) => {
        const base = `https://127.0.0.1:${ports[i % ports.length]}/v2/${REPO}`;
        const manifest = JSON.parse(
          (await get(`${base}/manifests/latest`, ca, auth, MEDIA.manifest)).toString(),
        ) as { layers: Array<{ digest: string }>; config: { digest: string } };
        for (const d of [manifest.config.digest, ...manifest.layers.map((l) => l.digest)]) {
          const body = await get(`${base}/blobs/${d}`, ca, auth);
          const got = 'sha256:' + createHash('sha256').update(body).digest('hex');
          if (got !== d) throw new Error(`blob ${d} arrived as ${got}`);
        }
        return Date.now() - t0;
      }),
    );
    const failures = results.filter((r) => r.status === 'rejected');
    const times = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const fetched = new Map<string, number>();
    for (const r of (await upstreamRequests(docker)).slice(before))
      if (r.method === 'GET' && r.path.includes('/blobs/')) {
        const d = r.path.slice(r.path.lastIndexOf('/') + 1);
        fetched.set(d, (fetched.get(d) ?? 0) + 1);
      }
    const layerDigests = img.layers.map((l) => 'sha256:' + createHash('sha256').update(l.blob).digest('hex'));
    console.log(
      JSON.stringify(
        {
          clients,
          replicas: team.replicas.length,
          imageMB: 100,
          failures: failures.length,
          failureReasons: failures.slice(0, 3).map((f) => String((f as PromiseRejectedResult).reason)),
          slowestPull: times.length ? ms(Math.max(...times)) : null,
          fastestPull: times.length ? ms(Math.min(...times)) : null,
          hubFetchesPerLayer: layerDigests.map((d) => fetched.get(d) ?? 0),
          hubFetchesMax: Math.max(0, ...fetched.values()),
          load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
        },
        null,
        2,
      ),
    );
  } finally {
    await stopTeamMirror(docker, team);
  }
}
