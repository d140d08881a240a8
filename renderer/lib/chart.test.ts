import { describe, expect, it } from 'vitest';
import { historyGeometry, niceCeiling } from './chart.js';

describe('the size chart', () => {
  it('labels the real peak, not the axis ceiling above it', () => {
    const samples = [
      { at: 0, bytes: 1_200_000, repositories: 1 },
      { at: 1000, bytes: 3_400_000, repositories: 1 },
      { at: 2000, bytes: 2_100_000, repositories: 1 },
    ];
    const g = historyGeometry(samples, 100, 50);
    expect(g.peak).toBe(3_400_000);
    expect(g.max).toBe(5_000_000);
    // The peak's point sits below the top, where a 3.4 MB point on a 5 MB axis belongs.
    expect(g.points[1]!.y).toBeCloseTo(50 - (3.4 / 5) * 50);
  });

  it('rounds the axis in decimal units, like every size the app shows', () => {
    expect(niceCeiling(950_000)).toBe(1_000_000);
    expect(niceCeiling(1_500_000_000)).toBe(2_000_000_000);
    expect(niceCeiling(0)).toBe(1);
  });
});
