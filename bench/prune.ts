// Benchmark: prune of 100 repositories from the 2,000-repository, 60,000-blob synthetic store, as the
// app runs it: planned on the scan worker, swept while the mirror serves, the sweep looking through the
// same worker. Measured: the mirror's downtime (executePrune's downtimeMs, and whether the container
// was ever restarted), the sweep step's wall time and its parts,
// freed bytes against the preview. Compared with `registry garbage-collect` alone on the same store
// after the same removals, paired: each run generates one store and copies it for each half (the prune
// and GC alone start from the same store state), runs the two back to back (which goes first
// alternates), and the verdict is the median of the per-pair ratios with their spread. The main thread's
// event loop (monitorEventLoopDelay, and the CPU-slice figure) is measured while planning and pruning.
// Run: npm run bench -- prune [--runs N] [--repos N] [--tags N] ...   (as root; uses the test bed)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg, tmpdir } from 'node:os';
import { runGarbageCollect, leftoverGcContainers } from '../app/cache/prune/gc.js';
import { executePrune, PruneContext } from '../app/cache/prune/execute.js';
import type { PrunePlan } from '../app/cache/prune/plan.js';
import { createWorkerScanner } from '../app/cache/scan/worker-scanner.js';
import { demuxLogs } from '../app/docker/demux.js';
import { Mirror } from '../app/mirror/mirror.js';
import { mirrorDirs, type MirrorSettings } from '../app/mirror/settings.js';
import { engine } from '../testbed/dockerd.js';
import { ensureTestbed } from '../testbed/index.js';
import { benchMirrorSettings } from './mirror-settings.js';
import { formatDelay, LoopMonitor, type LoopReport } from './loop-monitor.js';
import { formatRatio, median, ms, pairedRatio, pairOrder, timed } from './stats.js';
import { DEFAULT_STORE, generateStore, parseBenchArgs, type SyntheticOptions } from './synthetic-store.js';

const PRUNED = 100;
/** The sweep takes at most this share of `registry garbage-collect` alone. */
const GOAL = 0.2;

type Docker = ReturnType<typeof engine>;

interface Setup {
  settings: MirrorSettings;
  mirror: Mirror;
  store: string;
}

/**
 * A fresh mirror whose storage is a copy of `template` (a generated store), serving. `cp -a` keeps the
 * sparse blobs sparse (GNU cp finds their holes) and every mtime: both halves of a pair start from the
 * same store state, byte for byte.
 */
async function setUp(
  docker: Docker,
  tb: { upstreamUrl: string; network: string },
  name: string,
  template: string,
): Promise<Setup> {
  const settings = await benchMirrorSettings(tb, name, 'drpc-bench-prune');
  const data = mirrorDirs(settings).data;
  const mirror = new Mirror({ docker, settings });
  const setup = { settings, mirror, store: data };
  try {
    execFileSync('cp', ['-a', '--sparse=always', template, data]);
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
async function plan(scanner: ReturnType<typeof createWorkerScanner>): Promise<PrunePlan> {
  const summary = await scanner.refreshSummary();
  // Every 20th name in sorted order: nested and plain repositories, spread over the tree.
  const names = summary.repositories.map((r) => r.name).filter((_, i) => i % 20 === 0);
  return scanner.planPrune(
    names.slice(0, PRUNED).map((repo) => ({ repo })),
    'benchmark',
  );
}

export async function benchPrune(opts: { runs?: number; store?: SyntheticOptions } = {}) {
  const runs = opts.runs ?? 3;
  const store = opts.store ?? DEFAULT_STORE;
  const tb = await ensureTestbed();
  const docker = engine();
  const prunes: Array<{
    downtimeMs: number;
    collector: string;
    restarted: boolean;
    /** the sweep step's wall time (its two looks, the wait for uploads in flight, the file work) */
    sweepMs: number;
    /** what the plan said it frees: its blobs and those already unreferenced */
    previewBytes: number;
    freedBytes: number;
    deletedBlobs: number;
    planDigests: number;
    /** move the selection aside, then sweep (journaled step to step); the sweep's two looks at the store */
    steps: { moveMs: number; sweepMs: number; firstLookMs: number; secondLookMs: number; waitedMs: number };
    load: number;
    /** this (the app's main) thread's event loop while planning and while pruning */
    loop: LoopReport;
  }> = [];
  const alone: Array<{ wallMs: number; gcMs: number; eligibleBlobs: number; load: number }> = [];
  /** each prune's sweep over the GC alone run on a copy of the same store, back to back */
  const pairs: Array<{ a: number; b: number; first: string }> = [];
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
  // One generated store per pair, copied for each half: the prune and GC alone see the same state.
  const templates = mkdtempSync(join(tmpdir(), 'drpc-bench-prune-store-'));
  for (let i = 0; i < runs; i++) {
    const template = join(templates, `store-${i}`);
    generateStore(template, store);
    // The prune, as the app runs it.
    const prune = () =>
      attempt(`prune-${i}`, async (name) => {
        const s = await setUp(docker, tb, name, template);
        const scanner = createWorkerScanner(s.store);
        const monitor = new LoopMonitor('plan');
        try {
          const p = await plan(scanner);
          monitor.pause();
          const before = (await s.mirror.inspect())!;
          const load = loadavg()[0] ?? 0;
          // Step timestamps: executePrune reports each step once it is journaled.
          const at: Partial<Record<string, number>> = {};
          const looks: number[] = [];
          monitor.phase('prune');
          const r = await executePrune(docker, s.mirror, p, {
            look: async (ask) => {
              const [t, look] = await timed(() => scanner.look(ask));
              looks.push(t);
              return look;
            },
            onProgress: (e) => void (at[e.step] ??= performance.now()),
          });
          const loop = monitor.stop();
          const span = (from: string, to: string) => (at[to] ?? NaN) - (at[from] ?? NaN);
          const after = await s.mirror.status();
          if (after.state !== 'running')
            throw new Error(`mirror not serving after the prune: ${after.state}`);
          const now = (await s.mirror.inspect())!;
          prunes.push({
            downtimeMs: r.downtimeMs,
            collector: r.collector.kind + (r.collector.reason ? ` (${r.collector.reason})` : ''),
            restarted: now.Id !== before.Id || now.State.StartedAt !== before.State.StartedAt,
            sweepMs: r.gc.ms,
            previewBytes: r.previewBytes + r.orphanBytes,
            freedBytes: r.freedBytes,
            deletedBlobs: r.gc.eligibleBlobs,
            planDigests: p.digests.length,
            steps: {
              waitedMs: r.sweep?.waitedMs ?? NaN,
              moveMs: span('removing', 'removed'),
              sweepMs: span('collecting', 'collected'),
              firstLookMs: looks[0] ?? NaN,
              secondLookMs: looks[1] ?? NaN,
            },
            load,
            loop,
          });
          console.error(`run ${i + 1}: prune ${JSON.stringify(prunes.at(-1))}`);
        } finally {
          monitor.stop();
          await scanner.close();
          await tearDown(docker, s);
        }
      });
    // The floor: the same store, the same removals (moved aside with the mirror stopped, untimed), GC alone.
    const runGcAlone = () =>
      attempt(`gc-${i}`, async (name) => {
        const g = await setUp(docker, tb, name, template);
        const scanner = createWorkerScanner(g.store);
        try {
          const p = await plan(scanner);
          await scanner.close();
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
    const [first, second] = pairOrder(i, 'prune', 'gc');
    await (first === 'prune' ? prune() : runGcAlone());
    await (second === 'prune' ? prune() : runGcAlone());
    rmSync(template, { recursive: true, force: true });
    pairs.push({ a: prunes.at(-1)!.sweepMs, b: alone.at(-1)!.wallMs, first });
  }
  rmSync(templates, { recursive: true, force: true });
  const gcAlone = median(alone.map((a) => a.wallMs));
  const sweep = median(prunes.map((p) => p.sweepMs));
  return {
    store,
    pruned: PRUNED,
    runs,
    downtimeMs: Math.max(...prunes.map((p) => p.downtimeMs)),
    restarts: prunes.filter((p) => p.restarted).length,
    collectors: [...new Set(prunes.map((p) => p.collector))],
    sweepMs: sweep,
    gcAloneMs: gcAlone,
    gcAloneOwnMs: median(alone.map((a) => a.gcMs)),
    /** each prune's sweep over the GC alone of its pair (same store state, back to back) */
    sweepOverGcAlone: pairedRatio(pairs),
    pairs,
    loop: {
      plan: worst(prunes.map((p) => p.loop.phases.plan!)),
      prune: worst(prunes.map((p) => p.loop.phases.prune!)),
    },
    exact: prunes.every((p) => p.freedBytes === p.previewBytes) ? 'every run' : 'not every run',
    discardedAttempts: discarded,
    steps: {
      moveMs: median(prunes.map((p) => p.steps.moveMs)),
      sweepMs: median(prunes.map((p) => p.steps.sweepMs)),
      firstLookMs: median(prunes.map((p) => p.steps.firstLookMs)),
      secondLookMs: median(prunes.map((p) => p.steps.secondLookMs)),
      waitedMs: median(prunes.map((p) => p.steps.waitedMs)),
    },
    loads: [...prunes.map((p) => p.load), ...alone.map((a) => a.load)],
    prunes,
    alone,
  };
}

/** The highest of each figure over the runs. */
function worst(xs: LoopReport['phases'][string][]) {
  const most = (f: (p: (typeof xs)[number]) => number) => Math.max(...xs.map(f));
  return {
    delay: {
      resolutionMs: xs[0]!.delay.resolutionMs,
      samples: xs.reduce((n, p) => n + p.delay.samples, 0),
      p50Ms: most((p) => p.delay.p50Ms),
      p99Ms: most((p) => p.delay.p99Ms),
      maxMs: most((p) => p.delay.maxMs),
    },
    maxBusyMs: most((p) => p.maxBusyMs),
  };
}

export async function main(args: string[]): Promise<void> {
  const { store, values } = parseBenchArgs(args, DEFAULT_STORE, { runs: { type: 'string' } });
  const r = await benchPrune({
    runs: typeof values.runs === 'string' ? Number(values.runs) : undefined,
    store,
  });
  console.log(JSON.stringify(r, null, 2));
  const p0 = r.prunes[0]!;
  console.log(`
Store: ${r.store.repositories} repositories x ${r.store.tagsPerRepo} tags, ${r.store.blobsPerImage} blobs per image; ${r.pruned} repositories pruned (${p0.planDigests} blobs, ${(p0.previewBytes / 1e9).toFixed(1)} GB); ${r.runs} runs; 1-minute load ${Math.min(...r.loads).toFixed(1)} to ${Math.max(...r.loads).toFixed(1)}.

| measure | result | goal |
| --- | --- | --- |
| collected by | ${r.collectors.join(', ')} | the sweep |
| mirror downtime during the prune (longest of the runs) | ${ms(r.downtimeMs)}; container restarted in ${r.restarts} of ${r.runs} runs | 0 s: ${r.downtimeMs === 0 && r.restarts === 0 ? 'met' : 'not met'} |
| sweep step, wall (median) | ${ms(r.sweepMs)} | |
| \`registry garbage-collect\` alone, same removals (median, whole call) | ${ms(r.gcAloneMs)} | |
| sweep / GC alone, median of per-pair ratios (same store state, back to back, order alternated) | ${formatRatio(r.sweepOverGcAlone)} | <= ${GOAL}x: ${r.sweepOverGcAlone.median <= GOAL ? 'met' : 'not met'} |
| event loop of the app's thread while planning (worst of the runs) | ${formatDelay(r.loop.plan.delay)}; CPU between two ticks ${r.loop.plan.maxBusyMs.toFixed(1)} ms | |
| event loop of the app's thread while pruning (worst of the runs) | ${formatDelay(r.loop.prune.delay)}; CPU between two ticks ${r.loop.prune.maxBusyMs.toFixed(1)} ms | |
| freed = preview, to the byte | ${r.exact} (${r.prunes[0]!.freedBytes.toLocaleString('en')} bytes, ${r.prunes[0]!.deletedBlobs} blobs) | every run |
| steps: move aside / sweep | ${ms(r.steps.moveMs)} / ${ms(r.steps.sweepMs)} | |
| in the sweep: first look / uploads in flight (walk and wait) / second look / the rest (stat, rename, delete 3,000 blobs) | ${ms(r.steps.firstLookMs)} / ${ms(r.steps.waitedMs)} / ${ms(r.steps.secondLookMs)} / ${ms(r.steps.sweepMs - r.steps.firstLookMs - r.steps.waitedMs - r.steps.secondLookMs)} | |`);
}
