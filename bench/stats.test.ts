// The benchmarks' statistics: percentiles, paired ratios and event-loop delays are what their verdicts
// rest on, so their arithmetic is checked here (no timing is measured).
import { describe, expect, it } from 'vitest';
import { delayBeyond, delayOf, formatRatio, median, pairedRatio, pairOrder, percentile } from './stats.js';

describe('percentile', () => {
  it('interpolates between the closest ranks, as numpy does by default', () => {
    const xs = [15, 20, 35, 40, 50];
    expect(percentile(xs, 0)).toBe(15);
    expect(percentile(xs, 100)).toBe(50);
    expect(percentile(xs, 50)).toBe(35);
    // rank 0.4 * 4 = 1.6: 20 + 0.6 * (35 - 20)
    expect(percentile(xs, 40)).toBeCloseTo(29, 10);
    // rank 0.99 * 4 = 3.96: 40 + 0.96 * 10
    expect(percentile(xs, 99)).toBeCloseTo(49.6, 10);
  });

  it('does not depend on the order of the values, and agrees with the median', () => {
    const xs = [9, 1, 7, 3, 5, 2];
    expect(percentile(xs, 25)).toBe(
      percentile(
        [...xs].sort((a, b) => a - b),
        25,
      ),
    );
    expect(percentile(xs, 50)).toBe(median(xs));
    expect(xs).toEqual([9, 1, 7, 3, 5, 2]); // not sorted in place
  });

  it('is NaN for no values and refuses a percentile outside 0 to 100', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], -1)).toThrow(RangeError);
    expect(() => percentile([1], NaN)).toThrow(RangeError);
  });
});

describe('pairedRatio', () => {
  it('takes the median of the per-pair ratios, not the ratio of the medians', () => {
    // The reference got slower as the load rose; each pair stays 1.1x.
    const pairs = [
      { a: 1.1, b: 1 },
      { a: 2.2, b: 2 },
      { a: 3.3, b: 3 },
      { a: 11, b: 10 },
    ];
    const r = pairedRatio(pairs);
    expect(r.median).toBeCloseTo(1.1, 10);
    expect(r.min).toBeCloseTo(1.1, 10);
    expect(r.max).toBeCloseTo(1.1, 10);
    expect(r.pairs).toBe(4);
    // Unpaired, with the slow references taken at another time than the measured ones, the ratio of
    // medians says something else entirely.
    expect(median(pairs.map((p) => p.a)) / median([10, 10, 10, 10])).toBeCloseTo(0.275, 10);
  });

  it('shows the spread: minimum, quartiles and maximum of the ratios, in the order taken', () => {
    const r = pairedRatio([
      { a: 3, b: 2 },
      { a: 1, b: 1 },
      { a: 5, b: 2 },
      { a: 2, b: 1 },
      { a: 6, b: 4 },
    ]);
    expect(r.ratios).toEqual([1.5, 1, 2.5, 2, 1.5]);
    expect(r.median).toBe(1.5);
    expect([r.min, r.p25, r.p75, r.max]).toEqual([1, 1.5, 2, 2.5]);
    expect(formatRatio(r)).toBe('1.50x (1.00 to 2.50, 5 pairs)');
    expect(formatRatio(r, 1)).toBe('1.5x (1.0 to 2.5, 5 pairs)');
  });

  it('refuses no pairs, a reference of zero and values that are not numbers', () => {
    expect(() => pairedRatio([])).toThrow(RangeError);
    expect(() => pairedRatio([{ a: 1, b: 0 }])).toThrow(RangeError);
    expect(() => pairedRatio([{ a: NaN, b: 1 }])).toThrow(RangeError);
    expect(() => pairedRatio([{ a: 1, b: Infinity }])).toThrow(RangeError);
  });
});

describe('pairOrder', () => {
  it('alternates which of the two goes first', () => {
    expect([0, 1, 2, 3].map((i) => pairOrder(i, 'pull', 'load'))).toEqual([
      ['pull', 'load'],
      ['load', 'pull'],
      ['pull', 'load'],
      ['load', 'pull'],
    ]);
  });
});

describe('event-loop delay', () => {
  it('is the interval between two timer runs less the timer resolution, never below zero', () => {
    expect(delayBeyond(1_000_000, 1)).toBe(0); // on time
    expect(delayBeyond(21_500_000, 1)).toBeCloseTo(20.5, 10);
    expect(delayBeyond(900_000, 1)).toBe(0); // early by the clock's grain
  });

  it('reads p50, p99 and max from the histogram in ms', () => {
    const asked: number[] = [];
    const h = {
      count: 200,
      max: 48e6,
      percentile: (p: number) => (asked.push(p), p === 50 ? 1.2e6 : 11e6),
    };
    expect(delayOf(h, 1)).toEqual({
      resolutionMs: 1,
      samples: 200,
      p50Ms: expect.closeTo(0.2, 10),
      p99Ms: 10,
      maxMs: 47,
    });
    expect(asked.sort((a, b) => a - b)).toEqual([50, 99]);
  });

  it('reports zeros for a histogram with no sample (Node gives NaN-like extremes then)', () => {
    const h = { count: 0, max: 0, percentile: () => 0 };
    expect(delayOf(h, 1)).toEqual({ resolutionMs: 1, samples: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 });
  });
});
