// Soak: several clients pull through the mirror for N minutes (default 30) while a prune and a Docker
// restart happen. Counts failed pulls of cached images outside those windows (goal: zero) and verifies
// every cached blob against its digest afterwards (goal: zero corrupted).
// Run: npm run bench -- soak [minutes]   (as root; uses the test bed)
import { readFile } from 'node:fs/promises';
import { restartDockerd, setMirrors, engine } from '../testbed/dockerd.js';
import { IMAGES, MULTI } from '../testbed/fixtures.js';
import { ensureTestbed } from '../testbed/index.js';
import { startUpstream } from '../testbed/upstream.js';
import { pull } from '../testbed/helpers.js';
import { benchMirrorSettings } from './mirror-settings.js';
import { Mirror } from '../app/mirror/mirror.js';
import { mirrorDirs } from '../app/mirror/settings.js';
import { CacheService } from '../app/cache/service.js';
import { blobDataPath, storeLayout } from '../app/cache/scan/layout.js';
import { scanStore } from '../app/cache/scan/scanner.js';
import { StatusMonitor } from '../app/mirror/monitor.js';
import { Supervisor } from '../app/mirror/supervisor.js';

// The pull a registry client makes, shared with the tests (testbed/http-pull.ts).
export { httpPull, sha } from '../testbed/http-pull.js';
import { httpPull, sha } from '../testbed/http-pull.js';

export interface PullFailure {
  t: number;
  ref: string;
  client: number;
  error: string;
}

/**
 * Clients that pull refs in turn until `end`: client 0 is dockerd (`docker pull` through its
 * registry-mirrors), the others registry clients (httpPull, digests checked). Counts and failures.
 */
export function pullingClients(
  docker: ReturnType<typeof engine>,
  base: string,
  refs: Array<{ repo: string; tag: string }>,
  end: number,
) {
  const perClient = [0, 0, 0, 0];
  const failures: PullFailure[] = [];
  const client = async (id: number) => {
    let i = id;
    while (Date.now() < end) {
      const r = refs[i++ % refs.length]!;
      const t = Date.now();
      try {
        if (id === 0) await pull(docker, `${r.repo}:${r.tag}`);
        else await httpPull(base, r.repo, r.tag);
        perClient[id]!++;
      } catch (err) {
        failures.push({
          t,
          ref: `${r.repo}:${r.tag}`,
          client: id,
          error: (err as Error).message.slice(0, 160),
        });
        await new Promise((res) => setTimeout(res, 200)); // a failing client does not spin
      }
    }
  };
  return { perClient, failures, client };
}

export async function main(args: string[]): Promise<void> {
  const minutes = Number(args[0] ?? 30);
  const tb = await ensureTestbed();
  const docker = engine();
  const settings = await benchMirrorSettings(tb, `drpc-soak-${process.pid}`, 'drpc-soak');
  const mirror = new Mirror({ docker, settings });
  await mirror.up();
  await setMirrors([mirror.mirrorUrl]);
  const refs = [
    ...IMAGES.flatMap((i) => i.tags.map((t) => ({ repo: i.repo, tag: t }))),
    { repo: MULTI.repo, tag: MULTI.tag },
  ];
  for (const r of refs) await httpPull(mirror.baseUrl, r.repo, r.tag); // warm the cache
  await pull(docker, 'library/busybox:latest');

  const pruned = 'library/twotags';
  // Recovery after the Docker restart is the app's own: the status monitor and supervisor, as the
  // app and `drpc watch` run them, not a call from this script.
  const monitor = new StatusMonitor(docker, mirror, 1000);
  const supervisor = new Supervisor(monitor, { recreate: true, mirror: () => mirror, backoffMs: 1000 });
  const recoveries: string[] = [];
  supervisor.on('recovered', (r) => recoveries.push(`${r.action} from ${r.from} in ${r.ms} ms`));
  monitor.start();
  supervisor.start();
  const windows: Array<[number, number, string]> = [];
  const end = Date.now() + minutes * 60_000;
  const { perClient, failures, client } = pullingClients(docker, mirror.baseUrl, refs, end);
  /** Until the mirror answers /v2/ again: the end of a window. */
  const serving = async () => {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const ok = await fetch(`${mirror.baseUrl}/v2/`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('the mirror did not serve again within 2 minutes');
  };
  const chaos = async () => {
    await new Promise((r) => setTimeout(r, (minutes * 60_000) / 3));
    const svc = new CacheService({ docker, mirror, stateDir: settings.dataDir });
    let t0 = Date.now();
    supervisor.wanted = 'stopped'; // a prune stops the mirror on purpose
    await svc.prune(await svc.plan({ kind: 'items', items: [{ repo: pruned }] }));
    supervisor.wanted = 'running';
    await serving();
    windows.push([t0, Date.now(), 'prune']);
    await new Promise((r) => setTimeout(r, (minutes * 60_000) / 3));
    t0 = Date.now();
    await restartDockerd();
    await startUpstream(docker); // the stand-in Docker Hub lives in the same engine; the real one would not
    await serving();
    windows.push([t0, Date.now(), 'docker restart']);
  };
  await Promise.all([client(0), client(1), client(2), client(3), chaos()]);
  supervisor.stop();
  monitor.stop();

  // A failure counts unless it started within a window (or the second before or after it).
  const inWindow = (t: number) => windows.some(([a, b]) => t >= a - 1000 && t <= b + 1000);
  const outside = failures.filter((f) => !inWindow(f.t));
  // Every blob in the store hashes to its name.
  const store = mirrorDirs(settings).data;
  const scan = await scanStore(store);
  let corrupted = 0;
  for (const d of Object.keys(scan.blobSizes)) {
    if (sha(await readFile(blobDataPath(storeLayout(store), d))) !== d) corrupted++;
  }
  await setMirrors([]);
  await mirror.remove();
  console.log(
    JSON.stringify(
      {
        minutes,
        clients: '1 dockerd (docker pull) + 3 registry clients (manifest and blobs, digests checked)',
        pulls: perClient.reduce((a, b) => a + b, 0),
        pullsPerClient: perClient,
        recoveries,
        failures: failures.length,
        failuresOutsideWindows: outside.length,
        windows: windows.map(([a, b, w]) => `${w}: ${b - a} ms`),
        blobsVerified: Object.keys(scan.blobSizes).length,
        corrupted,
        missingLinks: scan.missingLinks.length,
        // An index's platforms that nobody pulled are never fetched: listed, not counted as damage.
        missingReferences: scan.repositories.flatMap((r) =>
          r.missingReferences.map((m) => `${r.name}: ${JSON.stringify(m)}`),
        ),
        examples: outside.slice(0, 5),
      },
      null,
      2,
    ),
  );
}
