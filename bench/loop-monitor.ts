// How this thread's event loop fares while a benchmark runs the app's path on it, per phase:
// - the event-loop delay a user feels (perf_hooks.monitorEventLoopDelay: how late a 1 ms timer ran;
//   p50, p99, max), whatever its cause: our code, garbage collection, or the thread waiting for a core;
// - beside it, from a 1 ms ticker, the most CPU time this thread spent between two ticks (the loop busy
//   with our code: the part the app's code can change), and in the longest gap how much of it was CPU.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { delayOf, type EventLoopDelay } from './stats.js';

export const LOOP_RESOLUTION_MS = 1;

export interface PhaseLoop {
  delay: EventLoopDelay;
  /** the most CPU time this thread spent between two ticks of the 1 ms ticker */
  maxBusyMs: number;
}

export interface LoopReport extends PhaseLoop {
  maxGapMs: number;
  cpuInMaxGapMs: number;
  /** ticks with more than 3 ms of CPU: [ms since the start, CPU ms], the five busiest */
  busiest: Array<[number, number]>;
  phases: Record<string, PhaseLoop>;
}

const threadCpuMs = () => {
  const u = process.threadCpuUsage();
  return (u.user + u.system) / 1000;
};

export class LoopMonitor {
  private readonly whole: IntervalHistogram;
  private readonly phases = new Map<string, { h: IntervalHistogram; maxBusy: number }>();
  private current: { h: IntervalHistogram; maxBusy: number } | undefined;
  private readonly ticker: NodeJS.Timeout;
  private readonly started = performance.now();
  private lastWall = performance.now();
  private lastCpu = threadCpuMs();
  private ticks = 0;
  private maxGap = 0;
  private cpuInMaxGap = 0;
  private maxBusy = 0;
  private readonly busiest: Array<[number, number]> = [];
  private stopped = false;

  /** Starts measuring, in phase `first`; `onTick` runs every `everyTicks` ticks (heap sampling). */
  constructor(first = 'start', opts: { onTick?: () => void; everyTicks?: number } = {}) {
    // A histogram is never disabled and enabled again: Node keeps the time of its last sample across,
    // and the first sample after would count the whole pause. Each phase gets its own.
    this.whole = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.whole.enable();
    this.phase(first);
    const every = opts.everyTicks ?? 5;
    this.ticker = setInterval(() => {
      const wall = performance.now();
      const used = threadCpuMs();
      const gap = wall - this.lastWall;
      const busy = used - this.lastCpu;
      if (gap > this.maxGap) [this.maxGap, this.cpuInMaxGap] = [gap, busy];
      this.maxBusy = Math.max(this.maxBusy, busy);
      if (this.current) this.current.maxBusy = Math.max(this.current.maxBusy, busy);
      if (busy > 3) this.busiest.push([Math.round(this.lastWall - this.started), Number(busy.toFixed(1))]);
      [this.lastWall, this.lastCpu] = [wall, used];
      if (opts.onTick && ++this.ticks % every === 0) opts.onTick();
    }, 1);
    // Measuring never keeps the process alive (a benchmark that failed midway still ends).
    this.ticker.unref();
  }

  /** From now on, figures count toward phase `name` (a new name each time). */
  phase(name: string): void {
    if (this.stopped) throw new Error('the loop monitor has stopped');
    if (this.phases.has(name)) throw new Error(`phase ${name} was measured already`);
    this.current?.h.disable();
    const h = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    h.enable();
    this.current = { h, maxBusy: 0 };
    this.phases.set(name, this.current);
  }

  /** Figures between now and the next phase count toward no phase (the whole still sees them). */
  pause(): void {
    this.current?.h.disable();
    this.current = undefined;
  }

  stop(): LoopReport {
    if (!this.stopped) {
      this.stopped = true;
      clearInterval(this.ticker);
      this.current?.h.disable();
      this.whole.disable();
    }
    return {
      delay: delayOf(this.whole, LOOP_RESOLUTION_MS),
      maxBusyMs: this.maxBusy,
      maxGapMs: this.maxGap,
      cpuInMaxGapMs: this.cpuInMaxGap,
      busiest: [...this.busiest].sort((a, b) => b[1] - a[1]).slice(0, 5),
      phases: Object.fromEntries(
        [...this.phases].map(([name, p]) => [
          name,
          { delay: delayOf(p.h, LOOP_RESOLUTION_MS), maxBusyMs: p.maxBusy },
        ]),
      ),
    };
  }
}

/**
 * The phases whose name starts with `prefix` (one per repetition: a histogram cannot be merged into
 * another): the highest p50, p99 and max among them, and the most CPU between two ticks.
 */
export function worstOf(phases: Record<string, PhaseLoop>, prefix: string): PhaseLoop & { count: number } {
  const xs = Object.entries(phases)
    .filter(([name]) => name.startsWith(prefix))
    .map(([, p]) => p);
  const most = (f: (p: PhaseLoop) => number) => (xs.length ? Math.max(...xs.map(f)) : 0);
  return {
    count: xs.length,
    delay: {
      resolutionMs: xs[0]?.delay.resolutionMs ?? LOOP_RESOLUTION_MS,
      samples: xs.reduce((n, p) => n + p.delay.samples, 0),
      p50Ms: most((p) => p.delay.p50Ms),
      p99Ms: most((p) => p.delay.p99Ms),
      maxMs: most((p) => p.delay.maxMs),
    },
    maxBusyMs: most((p) => p.maxBusyMs),
  };
}

/** "p50 0.1 / p99 4.2 / max 31.0 ms": the delay's figures on one line. */
export function formatDelay(d: EventLoopDelay): string {
  return `p50 ${d.p50Ms.toFixed(1)} / p99 ${d.p99Ms.toFixed(1)} / max ${d.maxMs.toFixed(1)} ms`;
}
