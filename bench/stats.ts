// Small statistics helpers for benchmarks: medians, percentiles, paired ratios, event-loop delay.
import type { IntervalHistogram } from 'node:perf_hooks';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The p-th percentile (0 to 100) of `xs`, linearly interpolated between the closest ranks (the
 * definition of numpy's default and of Excel's PERCENTILE.INC): p 50 is the median, p 0 the minimum,
 * p 100 the maximum. NaN for no values.
 */
export function percentile(xs: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is not within 0 to 100`);
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo]! + (s[hi]! - s[lo]!) * (rank - lo);
}

export function ms(x: number): string {
  return x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`;
}

export async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await fn();
  return [performance.now() - t0, v];
}

/** One pair of a paired measurement: the measured thing and its reference, taken back to back. */
export interface Pair {
  a: number;
  b: number;
}

export interface PairedRatio {
  /** a / b of each pair, in the order the pairs were taken */
  ratios: number[];
  /** the median of the per-pair ratios: the verdict's figure */
  median: number;
  /** the spread of the per-pair ratios */
  min: number;
  max: number;
  /** 25th and 75th percentiles of the per-pair ratios (their middle half) */
  p25: number;
  p75: number;
  pairs: number;
}

/**
 * a / b per pair, then the median of those ratios and their spread. A change of the machine's load
 * between pairs moves both halves of a pair alike, so it cancels in the ratio; a ratio of two medians
 * taken at different times does not (a slow `docker load` phase against a fast pull phase, say).
 */
export function pairedRatio(pairs: readonly Pair[]): PairedRatio {
  if (pairs.length === 0) throw new RangeError('no pairs to compare');
  for (const { a, b } of pairs) {
    if (!(Number.isFinite(a) && Number.isFinite(b) && b > 0))
      throw new RangeError(`a pair needs finite values and a positive reference: ${a} / ${b}`);
  }
  const ratios = pairs.map(({ a, b }) => a / b);
  return {
    ratios,
    median: median(ratios),
    min: Math.min(...ratios),
    max: Math.max(...ratios),
    p25: percentile(ratios, 25),
    p75: percentile(ratios, 75),
    pairs: ratios.length,
  };
}

/** "1.17x (1.02 to 1.41, 5 pairs)": the verdict's median with the spread shown beside it. */
export function formatRatio(r: PairedRatio, digits = 2): string {
  return `${r.median.toFixed(digits)}x (${r.min.toFixed(digits)} to ${r.max.toFixed(digits)}, ${r.pairs} pairs)`;
}

/**
 * Which of the two goes first in pair `i`: alternated, so neither always runs on the cache, disk and
 * load state the other left behind.
 */
export function pairOrder<T>(i: number, a: T, b: T): [T, T] {
  return i % 2 === 0 ? [a, b] : [b, a];
}

/** Event-loop delay as a user feels it: how late a timer of `resolutionMs` ran, in ms. */
export interface EventLoopDelay {
  resolutionMs: number;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * The lateness of one histogram sample: monitorEventLoopDelay records the whole interval between two
 * runs of its `resolution` ms timer (ns), so what the loop added is that interval less the resolution.
 */
export function delayBeyond(intervalNs: number, resolutionMs: number): number {
  return Math.max(0, intervalNs / 1e6 - resolutionMs);
}

/** The histogram's figures as delays (`delayBeyond`), in ms. */
export function delayOf(
  h: Pick<IntervalHistogram, 'count' | 'max' | 'percentile'>,
  resolutionMs: number,
): EventLoopDelay {
  const samples = Number(h.count);
  return {
    resolutionMs,
    samples,
    p50Ms: samples ? delayBeyond(h.percentile(50), resolutionMs) : 0,
    p99Ms: samples ? delayBeyond(h.percentile(99), resolutionMs) : 0,
    maxMs: samples ? delayBeyond(h.max, resolutionMs) : 0,
  };
}
