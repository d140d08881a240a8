// Benchmark: prune of 100 repositories from the 2,000-repository, 60,000-blob synthetic store. The mirror
// does not serve from `mirror.down()` until `mirror.up()` answers again (executePrune's downtimeMs);
// the floor is `registry garbage-collect` alone on the same store after the same 100 repositories were
// moved aside: what a prune cannot do without. Each run regenerates the store (same seed, same bytes).
// Run: npm run bench -- prune [--runs N]   (as root; uses the test bed)
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGarbageCollect, leftoverGcContainers } from '../app/cache/prune/gc.js';
import { executePrune, PruneContext } from '../app/cache/prune/execute.js';
import type { PrunePlan } from '../app/cache/prune/plan.js';
import { createWorkerScanner } from '../app/cache/scan/worker-scanner.js';
import { demuxLogs } from '../app/docker/demux.js';
import { Mirror } from '../app/mirror/mirror.js';
import { defaultMirrorSettings, mirrorDirs, type MirrorSettings } from '../app/mirror/settings.js';
import { engine } from '../testbed/dockerd.js';
import { ensureTestbed } from '../testbed/index.js';
import { freeLoopbackPort } from '../testbed/upstream.js';
import { STORE } from './scan.js';
import { median, ms, timed } from './stats.js';
import { generateStore } from './synthetic-store.js';

const PRUNED = 100;
const GOAL = 1.2;

type Docker = ReturnType<typeof engine>;

interface Setup {
  settings: MirrorSettings;
  mirror: Mirror;
  store: string;
}

/** A fresh mirror whose storage is the synthetic store, serving. */
async function setUp(
  docker: Docker,
  tb: { upstreamUrl: string; network: string },
  name: string,
  store: typeof STORE,
): Promise<Setup> {
  const settings: MirrorSettings = {
    ...defaultMirrorSettings(),
    port: await freeLoopbackPort(),
    dataDir: mkdtempSync(join(tmpdir(), 'drpc-bench-prune-')),
    containerName: name,
    upstreamUrl: tb.upstreamUrl,
    network: tb.network,
  };
  const data = mirrorDirs(settings).data;
  const mirror = new Mirror({ docker, settings });
  const setup = { settings, mirror, store: data };
  try {
    generateStore(data, store);
    const up = await mirror.up();
    if (up.status.state !== 'running') {
      const logs = await containerLogs(docker, name);
      throw new Error(`mirror ${name} is ${up.status.state}: ${logs}`);
    }
    return setup;
  } catch (err) {
    await tearDown(docker, setup);
    throw err;
  }
}

/** The last lines a container wrote, to tell why it did not serve. */
async function containerLogs(docker: Docker, name: string): Promise<string> {
  try {
    const raw = (await docker
      .getContainer(name)
      .logs({ stdout: true, stderr: true, tail: 5 })) as unknown as Buffer;
    return demuxLogs(raw).trim().split('\n').join(' | ');
  } catch (err) {
    return `(no logs: ${(err as Error).message})`;
  }
}

async function tearDown(docker: Docker, s: Setup | undefined): Promise<void> {
  if (!s) return;
  await s.mirror.remove().catch(() => {});
  for (const id of await leftoverGcContainers(docker, s.settings.dataDir).catch(() => [])) {
    await docker
      .getContainer(id)
      .remove({ force: true })
      .catch(() => {});
  }
  rmSync(s.settings.dataDir, { recursive: true, force: true });
}

/** The plan, made the app's way: on the scan worker, from the summary's repository names. */
async function plan(store: string): Promise<PrunePlan> {
  const scanner = createWorkerScanner(store);
  try {
    const summary = await scanner.refreshSummary();
    // Every 20th name in sorted order: nested and plain repositories, spread over the tree.
    const names = summary.repositories.map((r) => r.name).filter((_, i) => i % 20 === 0);
    return await scanner.planPrune(
      names.slice(0, PRUNED).map((repo) => ({ repo })),
      'benchmark',
    );
  } finally {
    await scanner.close();
  }
}

export async function benchPrune(opts: { runs?: number; store?: typeof STORE } = {}) {
  const runs = opts.runs ?? 3;
  const store = opts.store ?? STORE;
  const tb = await ensureTestbed();
  const docker = engine();
  const prunes: Array<{
    downtimeMs: number;
    gcMs: number;
    previewBytes: number;
    freedBytes: number;
    eligibleBlobs: number;
    planDigests: number;
    /** stop the mirror, move the selection aside, garbage-collect, start and wait until it serves */
    steps: { stopMs: number; moveMs: number; gcMs: number; startMs: number };
    load: number;
  }> = [];
  const alone: Array<{ wallMs: number; gcMs: number; eligibleBlobs: number; load: number }> = [];
  /**
   * The test bed is shared: another run's teardown or engine restart can take our containers away
   * mid-run. Such an attempt is thrown away (and counted) and the run made again from scratch.
   */
  let discarded = 0;
  const attempt = async (what: string, fn: (name: string) => Promise<void>) => {
    for (let n = 1; ; n++) {
      try {
        return await fn(`drpc-bench-${what}-${process.pid}-${n}`);
      } catch (err) {
        discarded++;
        console.error(`${what}: attempt ${n} failed (${(err as Error).message})`);
        if (n >= 4) throw err;
        await new Promise((r) => setTimeout(r, 20_000));
      }
    }
  };
  for (let i = 0; i < runs; i++) {
    // The prune, as the app runs it.
    await attempt(`prune-${i}`, async (name) => {
      const s = await setUp(docker, tb, name, store);
      try {
        const p = await plan(s.store);
        const load = loadavg()[0] ?? 0;
        // Step timestamps: executePrune reports each step once it is journaled.
        const at: Partial<Record<string, number>> = {};
        const r = await executePrune(docker, s.mirror, p, {
          onProgress: (e) => void (at[e.step] ??= performance.now()),
        });
        const span = (from: string, to: string) => (at[to] ?? NaN) - (at[from] ?? NaN);
        const after = await s.mirror.status();
        if (after.state !== 'running') throw new Error(`mirror not serving after the prune: ${after.state}`);
        prunes.push({
          downtimeMs: r.downtimeMs,
          gcMs: r.gc.ms,
          previewBytes: r.previewBytes,
          freedBytes: r.freedBytes,
          eligibleBlobs: r.gc.eligibleBlobs,
          planDigests: p.digests.length,
          steps: {
            stopMs: span('planned', 'stopped'),
            moveMs: span('removing', 'removed'),
            gcMs: span('collecting', 'collected'),
            startMs: span('collected', 'started'),
          },
          load,
        });
        console.error(`run ${i + 1}: prune ${JSON.stringify(prunes.at(-1))}`);
      } finally {
        await tearDown(docker, s);
      }
    });
    // The floor: the same store, the same removals (moved aside with the mirror stopped, untimed), GC alone.
    await attempt(`gc-${i}`, async (name) => {
      const g = await setUp(docker, tb, name, store);
      try {
        const p = await plan(g.store);
        await g.mirror.down();
        await new PruneContext(docker, g.mirror).moveAside(p);
        const load = loadavg()[0] ?? 0;
        const [wallMs, gc] = await timed(() => runGarbageCollect(docker, g.settings));
        alone.push({ wallMs, gcMs: gc.ms, eligibleBlobs: gc.eligibleBlobs, load });
        console.error(`run ${i + 1}: GC alone ${JSON.stringify(alone.at(-1))}`);
      } finally {
        await tearDown(docker, g);
      }
    });
  }
  const downtime = median(prunes.map((p) => p.downtimeMs));
  const gcAlone = median(alone.map((a) => a.wallMs));
  return {
    store,
    pruned: PRUNED,
    runs,
    downtimeMs: downtime,
    gcInPruneMs: median(prunes.map((p) => p.gcMs)),
    gcAloneMs: gcAlone,
    gcAloneOwnMs: median(alone.map((a) => a.gcMs)),
    downtimeOverGcAlone: downtime / gcAlone,
    /** Per run: downtime over that run's own GC step (the same GC, so without the GC's run-to-run spread). */
    downtimeOverOwnGc: median(prunes.map((p) => p.downtimeMs / p.steps.gcMs)),
    discardedAttempts: discarded,
    overheadMs: downtime - gcAlone,
    steps: {
      stopMs: median(prunes.map((p) => p.steps.stopMs)),
      moveMs: median(prunes.map((p) => p.steps.moveMs)),
      gcMs: median(prunes.map((p) => p.steps.gcMs)),
      startMs: median(prunes.map((p) => p.steps.startMs)),
    },
    loads: [...prunes.map((p) => p.load), ...alone.map((a) => a.load)],
    prunes,
    alone,
  };
}

export async function main(args: string[]): Promise<void> {
  const i = args.indexOf('--runs');
  const r = await benchPrune({ runs: i >= 0 ? Number(args[i + 1]) : undefined });
  console.log(JSON.stringify(r, null, 2));
  const p0 = r.prunes[0]!;
  console.log(`
Store: ${r.store.repositories} repositories x ${r.store.tagsPerRepo} tags, ${r.store.blobsPerImage} blobs per image; ${r.pruned} repositories pruned (${p0.planDigests} blobs, ${(p0.previewBytes / 1e9).toFixed(1)} GB); ${r.runs} runs; 1-minute load ${Math.min(...r.loads).toFixed(1)} to ${Math.max(...r.loads).toFixed(1)}.

| measure | result | goal |
| --- | --- | --- |
| mirror downtime during the prune (median) | ${ms(r.downtimeMs)} | |
| of which garbage-collect (gc.ms inside the prune) | ${ms(r.gcInPruneMs)} | |
| \`registry garbage-collect\` alone, same removals (median, whole call) | ${ms(r.gcAloneMs)} | |
| downtime / GC alone | ${r.downtimeOverGcAlone.toFixed(2)}x | <= ${GOAL}x: ${r.downtimeOverGcAlone <= GOAL ? 'met' : 'not met'} |
| downtime / the same prune's own GC step (median of the runs) | ${r.downtimeOverOwnGc.toFixed(2)}x | |
| downtime beyond GC alone | ${ms(r.overheadMs)} | |
| downtime steps: stop / move aside / GC / start until serving | ${ms(r.steps.stopMs)} / ${ms(r.steps.moveMs)} / ${ms(r.steps.gcMs)} / ${ms(r.steps.startMs)} | |`);
}
