// Prune soak: four clients pull the kept images through the mirror for N minutes (default 10) while a
// prune runs every minute (a repository pulled back in between, so each prune has something to take:
// library/app-one, which shares its base layer with the kept library/app-two, and library/twotags in
// turn). Counts failed pulls of kept images (goal: zero, at any time) and verifies every blob in the
// store against its digest afterwards (goal: zero corrupted). `--gc` runs the same with the registry's
// stop-the-world collection, for comparison.
// Run: npm run bench -- prune-soak [minutes] [--gc]   (as root; uses the test bed)
import { readFile } from 'node:fs/promises';
import { CacheService } from '../app/cache/service.js';
import { blobDataPath, storeLayout } from '../app/cache/scan/layout.js';
import { scanStore } from '../app/cache/scan/scanner.js';
import { Mirror } from '../app/mirror/mirror.js';
import { mirrorDirs } from '../app/mirror/settings.js';
import { engine, setMirrors } from '../testbed/dockerd.js';
import { MULTI } from '../testbed/fixtures.js';
import { pull } from '../testbed/helpers.js';
import { ensureTestbed } from '../testbed/index.js';
import { benchMirrorSettings } from './mirror-settings.js';
import { httpPull, pullingClients, sha } from './soak.js';

const KEPT = [
  { repo: 'library/busybox', tag: 'latest' },
  { repo: 'library/app-two', tag: 'latest' },
  { repo: MULTI.repo, tag: MULTI.tag },
];
const VICTIMS = [
  { repo: 'library/app-one', tag: 'latest' },
  { repo: 'library/twotags', tag: 'v1' },
];

export async function main(args: string[]): Promise<void> {
  const minutes = Number(args.find((a) => /^\d+(\.\d+)?$/.test(a)) ?? 10);
  const gc = args.includes('--gc');
  const tb = await ensureTestbed();
  const docker = engine();
  const settings = await benchMirrorSettings(tb, `drpc-prune-soak-${process.pid}`, 'drpc-prune-soak');
  const mirror = new Mirror({ docker, settings });
  await mirror.up();
  await setMirrors([mirror.mirrorUrl]);
  for (const r of [...KEPT, ...VICTIMS]) await httpPull(mirror.baseUrl, r.repo, r.tag); // warm the cache
  await pull(docker, 'library/busybox:latest');

  const svc = new CacheService({ docker, mirror, stateDir: settings.dataDir });
  const prunes: Array<{ repo: string; downtimeMs: number; collector: string; freed: number; ms: number }> =
    [];
  const end = Date.now() + minutes * 60_000;
  const { perClient, failures, client } = pullingClients(docker, mirror.baseUrl, KEPT, end);
  const pruner = async () => {
    for (let n = 0; Date.now() + 60_000 < end; n++) {
      await new Promise((r) => setTimeout(r, 60_000));
      const victim = VICTIMS[n % VICTIMS.length]!;
      // Pulled back first (it was pruned two rounds ago), so each prune takes something away.
      await httpPull(mirror.baseUrl, victim.repo, victim.tag).catch(() => {});
      const t0 = Date.now();
      const plan = await svc.plan({ kind: 'items', items: [{ repo: victim.repo }] });
      const r = await svc.prune(plan, gc ? { collector: 'gc' } : {});
      prunes.push({
        repo: victim.repo,
        downtimeMs: r.downtimeMs,
        collector: r.collector.kind,
        freed: r.freedBytes,
        ms: Date.now() - t0,
      });
      console.error(`prune ${JSON.stringify(prunes.at(-1))}`);
    }
  };
  await Promise.all([client(0), client(1), client(2), client(3), pruner()]);
  await svc.close();

  // Every blob in the store hashes to its name, and every kept image pulls whole.
  const store = mirrorDirs(settings).data;
  const scan = await scanStore(store);
  let corrupted = 0;
  for (const d of Object.keys(scan.blobSizes)) {
    if (sha(await readFile(blobDataPath(storeLayout(store), d))) !== d) corrupted++;
  }
  const keptAfter = await Promise.all(
    KEPT.map((r) =>
      httpPull(mirror.baseUrl, r.repo, r.tag).then(
        () => 'ok',
        (e: Error) => e.message,
      ),
    ),
  );
  await setMirrors([]);
  await mirror.remove();
  console.log(
    JSON.stringify(
      {
        minutes,
        collector: gc ? "the registry's garbage-collect (mirror stopped)" : 'the sweep (mirror serving)',
        clients: '1 dockerd (docker pull) + 3 registry clients (manifest and blobs, digests checked)',
        pulls: perClient.reduce((a, b) => a + b, 0),
        pullsPerClient: perClient,
        prunes: prunes.length,
        downtimeMs: prunes.map((p) => p.downtimeMs),
        failedPullsOfKeptImages: failures.length,
        blobsVerified: Object.keys(scan.blobSizes).length,
        corrupted,
        missingLinks: scan.missingLinks.length,
        keptImagesPullAfterwards: keptAfter,
        examples: failures.slice(0, 5),
      },
      null,
      2,
    ),
  );
}
