// Benchmark: cold vs warm pull of a ~100 MB multi-layer image through the mirror, with the upstream
// behind a 50 Mbit/s, 40 ms link (bench/throttle.ts, in its own process), and `docker load` of the same
// image as the floor. Paired: each warm pull is timed back to back with a `docker load` (which goes
// first alternates), each cold pull with the warm pull after it; the verdicts are the medians of the
// per-pair ratios, with their spread.
// Run: npm run bench -- pull [--cold N] [--warm N]   (as root; uses the test bed; DRPC_REGISTRY=3 for registry:3)
import { createWriteStream, createReadStream, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setMirrors, engine } from '../testbed/dockerd.js';
import { makeImage } from '../testbed/fixtures.js';
import { freePort, pull, removeLocalImages, tempDir } from '../testbed/helpers.js';
import { ensureTestbed } from '../testbed/index.js';
import { NET } from '../testbed/layout.js';
import { MEDIA, RegistryPusher } from '../testbed/push.js';
import { Mirror } from '../app/mirror/mirror.js';
import { defaultMirrorSettings } from '../app/mirror/settings.js';
import { startThrottle } from './throttle.js';
import { median, ms, pairedRatio, pairOrder, timed, formatRatio, type Pair } from './stats.js';

const MB = 1024 * 1024;
const REPO = 'library/bench-big';
const REF = 'bench-big:latest';

export async function benchPull(opts: { coldRuns?: number; warmRuns?: number } = {}) {
  const coldRuns = opts.coldRuns ?? 3;
  const warmRuns = opts.warmRuns ?? 5;
  const tb = await ensureTestbed();
  const docker = engine();

  // ~100 MB in four incompressible layers.
  const img = await makeImage({
    repo: REPO,
    tags: ['latest'],
    layers: [40, 30, 20, 10].map((size, i) => ({ seed: `bench-big-${i}`, size: size * MB })),
  });
  const pusher = new RegistryPusher(tb.upstreamHostUrl);
  for (const l of img.layers) await pusher.pushBlob(REPO, l.blob);
  await pusher.pushBlob(REPO, img.config);
  await pusher.putManifest(REPO, 'latest', MEDIA.manifest, img.manifest);
  const bytes = img.layers.reduce((n, l) => n + l.blob.length, 0);

  const net = await docker.getNetwork(NET.testNetwork).inspect();
  const gateway = net.IPAM?.Config?.[0]?.Gateway;
  if (!gateway) throw new Error(`network ${NET.testNetwork} has no gateway`);
  const throttle = await startThrottle({
    listenHost: gateway,
    targetHost: '127.0.0.1',
    targetPort: Number(new URL(tb.upstreamHostUrl).port),
    bitsPerSecond: 50e6,
    rttMs: 40,
  });

  const cold: number[] = [];
  const warm: number[] = [];
  const load: number[] = [];
  /** cold pull and the warm pull right after it, same mirror */
  const coldWarm: Pair[] = [];
  /** a warm pull and a `docker load` of the same image, back to back, in alternating order */
  const warmLoad: Pair[] = [];
  const upstreamBytes: number[] = [];
  const memory: number[] = [];
  const rss: number[] = [];
  const loads: number[] = [];
  const tar = join(tempDir('drpc-bench-tar-'), 'image.tar');
  let haveTar = false;
  const warmPull = async () => {
    await removeLocalImages(docker, [REF]);
    return (await timed(() => pull(docker, REF)))[0];
  };
  // The floor: the same image from a tar on local disk.
  const dockerLoad = async () => {
    await removeLocalImages(docker, [REF]);
    return (
      await timed(async () => {
        const stream = await docker.loadImage(createReadStream(tar));
        await new Promise<void>((resolve, reject) =>
          docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
        );
      })
    )[0];
  };
  let mirror: Mirror | undefined;
  try {
    const per = Math.ceil(warmRuns / coldRuns);
    for (let i = 0; i < coldRuns; i++) {
      mirror = new Mirror({
        docker,
        settings: {
          ...defaultMirrorSettings(),
          image: tb.mirrorImage,
          port: await freePort(),
          dataDir: tempDir('drpc-bench-'),
          containerName: `drpc-bench-${i}`,
          upstreamUrl: `http://${gateway}:${throttle.port}`,
          network: NET.testNetwork,
        },
      });
      await mirror.up();
      await setMirrors([mirror.mirrorUrl]);
      await removeLocalImages(docker, [REF]);
      loads.push(loadavg()[0] ?? 0);
      const before = await throttle.bytesDown();
      const c = (await timed(() => pull(docker, REF)))[0];
      cold.push(c);
      upstreamBytes.push((await throttle.bytesDown()) - before);
      if (!haveTar) {
        await pipeline((await docker.getImage(REF).get()) as NodeJS.ReadableStream, createWriteStream(tar));
        haveTar = true;
      }
      for (let w = 0; w < per; w++) {
        const n = i * per + w;
        // Alternated: the pull first in even pairs, the load first in odd ones.
        const [first, second] = pairOrder(n, 'pull', 'load');
        const t: Record<string, number> = {};
        t[first] = first === 'pull' ? await warmPull() : await dockerLoad();
        t[second] = second === 'pull' ? await warmPull() : await dockerLoad();
        warm.push(t.pull!);
        load.push(t.load!);
        warmLoad.push({ a: t.pull!, b: t.load! });
        if (w === 0) coldWarm.push({ a: c, b: t.pull! });
        console.error(`pair ${n + 1} (${first} first): warm ${ms(t.pull!)}, load ${ms(t.load!)}`);
      }
      loads.push(loadavg()[0] ?? 0);
      const mem = await memoryOf(docker, mirror.settings.containerName);
      memory.push(mem.usage);
      rss.push(mem.rss);
      await mirror.remove();
      rmSync(mirror.settings.dataDir, { recursive: true, force: true });
    }
  } finally {
    rmSync(dirname(tar), { recursive: true, force: true });
    await setMirrors([]);
    await throttle.close();
    await removeLocalImages(docker, [REF]);
  }
  const result = {
    image: tb.mirrorImage,
    imageBytes: bytes,
    coldMs: median(cold),
    warmMs: median(warm),
    loadMs: median(load),
    /** per pair: each cold pull over the warm pull right after it on the same mirror */
    coldOverWarm: pairedRatio(coldWarm),
    /** per pair: each warm pull over the `docker load` next to it (alternating which goes first) */
    warmOverLoad: pairedRatio(warmLoad),
    load: { min: Math.min(...loads), max: Math.max(...loads) },
    upstreamBytesPerColdPull: median(upstreamBytes),
    /** the mirror container's memory after its cold and warm pulls (cgroup usage less page cache) */
    mirrorMemoryBytes: median(memory),
    /** of which the registry process's own memory (anonymous pages: rss on cgroup v1, anon on v2) */
    mirrorRssBytes: median(rss),
    runs: { cold, warm, load, coldWarm, warmLoad, upstreamBytes, memory, rss },
  };
  return result;
}

/**
 * Memory as `docker stats` shows it (usage less inactive file cache: `inactive_file` on cgroup v2,
 * `total_inactive_file` on v1), and the process's own part of it (`anon` on v2, `rss` on v1).
 */
async function memoryOf(
  docker: ReturnType<typeof engine>,
  name: string,
): Promise<{ usage: number; rss: number }> {
  const s = (await docker.getContainer(name).stats({ stream: false })) as unknown as {
    memory_stats: { usage?: number; stats?: Record<string, number> };
  };
  const m = s.memory_stats;
  const st = m.stats ?? {};
  return {
    usage: (m.usage ?? 0) - (st.inactive_file ?? st.total_inactive_file ?? 0),
    rss: st.anon ?? st.rss ?? 0,
  };
}

export async function main(args: string[]): Promise<void> {
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] ? Number(args[i + 1]) : undefined;
  };
  const r = await benchPull({ coldRuns: opt('--cold'), warmRuns: opt('--warm') });
  console.log(JSON.stringify(r, null, 2));
  console.log(`
| pull of a ${(r.imageBytes / MB).toFixed(0)} MB, 4-layer image (${r.image}) | median |
| --- | --- |
| cold (50 Mbit/s, 40 ms upstream) | ${ms(r.coldMs)} |
| warm (served by the mirror) | ${ms(r.warmMs)} |
| docker load of the same image (floor) | ${ms(r.loadMs)} |
| cold / warm, median of per-pair ratios (spread) | ${formatRatio(r.coldOverWarm, 1)} (goal >= 5x: ${r.coldOverWarm.median >= 5 ? 'met' : 'not met'}) |
| warm / docker load, median of per-pair ratios (spread) | ${formatRatio(r.warmOverLoad)} (goal <= 1.3x: ${r.warmOverLoad.median <= 1.3 ? 'met' : 'not met'}) |
| 1-minute load during the runs | ${r.load.min.toFixed(1)} to ${r.load.max.toFixed(1)} |
| upstream bytes per cold pull | ${(r.upstreamBytesPerColdPull / MB).toFixed(1)} MB |
| mirror container memory after the pulls (of it the process's own) | ${(r.mirrorMemoryBytes / MB).toFixed(1)} MB (${(r.mirrorRssBytes / MB).toFixed(1)} MB) |`);
}
