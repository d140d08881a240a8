// Geometry for the two small SVG charts (no chart library: two shapes do not need one).
import type { CacheRepository } from '../../app/cache/report.js';
import type { HistorySample } from '../../app/contract/values.js';

/** The smallest 1/2/5 x 1000^k (or x 10^n within it) at or above v: a round top for an axis. */
export function niceCeiling(v: number): number {
  if (!(v > 0)) return 1;
  const unit = 1000 ** Math.floor(Math.log(v) / Math.log(1000));
  const scaled = v / unit;
  const pow = 10 ** Math.floor(Math.log10(scaled));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= scaled - 1e-9) return m * pow * unit;
  return 10 * pow * unit;
}

export interface HistoryGeometry {
  line: string;
  area: string;
  /** the axis' top: a round number at or above the peak (not a value the cache had) */
  max: number;
  /** the largest size sampled: what the chart's label says */
  peak: number;
  points: Array<{ x: number; y: number; sample: HistorySample }>;
}

/** A line and the area under it, time on x, bytes on y (from zero, so a drop looks like one). */
export function historyGeometry(
  samples: readonly HistorySample[],
  width: number,
  height: number,
): HistoryGeometry {
  const peak = Math.max(0, ...samples.map((s) => s.bytes));
  const max = niceCeiling(Math.max(peak, 1));
  const t0 = samples[0]?.at ?? 0;
  const t1 = samples.at(-1)?.at ?? t0;
  const span = t1 - t0 || 1;
  const points = samples.map((s) => ({
    x: samples.length === 1 ? width : ((s.at - t0) / span) * width,
    y: height - (s.bytes / max) * height,
    sample: s,
  }));
  const fmt = (n: number) => Math.round(n * 10) / 10;
  const line = points.map((p, i) => `${i ? 'L' : 'M'}${fmt(p.x)},${fmt(p.y)}`).join(' ');
  const area = points.length
    ? `${line} L${fmt(points.at(-1)!.x)},${height} L${fmt(points[0]!.x)},${height} Z`
    : '';
  return { line, area, max, peak, points };
}

export interface Bar {
  name: string;
  total: number;
  shared: number;
  exclusive: number;
  /** widths as fractions of the largest bar */
  sharedFraction: number;
  exclusiveFraction: number;
}

/** The largest repositories, each split into bytes only it holds and bytes shared with others. */
export function largestBars(repos: readonly CacheRepository[], n = 8): Bar[] {
  const top = [...repos]
    .sort((a, b) => b.totalBytes - a.totalBytes || (a.name < b.name ? -1 : 1))
    .slice(0, n);
  const max = top[0]?.totalBytes || 1;
  return top.map((r) => ({
    name: r.name,
    total: r.totalBytes,
    shared: r.sharedBytes,
    exclusive: r.exclusiveBytes,
    sharedFraction: r.sharedBytes / max,
    exclusiveFraction: r.exclusiveBytes / max,
  }));
}
