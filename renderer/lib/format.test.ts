import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatBytes,
  formatBytesPrecise,
  formatDate,
  formatDay,
  formatDuration,
  formatPercent,
  plural,
  shortDigest,
} from './format.js';

describe('bytes', () => {
  it('reads binary multiples like du and Docker', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(600 * 1024)).toBe('600 KB');
    expect(formatBytes(94.4 * 1024 ** 3)).toBe('94 GB');
    expect(formatBytes(-1)).toBe('-');
  });

  it('keeps three digits where a small change must show (before -> after a prune)', () => {
    expect(formatBytesPrecise(94.4 * 1024 ** 3)).toBe('94.4 GB');
    expect(formatBytesPrecise(93.93 * 1024 ** 3)).toBe('93.9 GB');
    expect(formatBytesPrecise(1.5 * 1024 ** 2)).toBe('1.50 MB');
    expect(formatBytesPrecise(512 * 1024)).toBe('512 KB');
    expect(formatBytesPrecise(12)).toBe('12 B');
  });
});

describe('times', () => {
  const now = Date.UTC(2025, 2, 12, 12, 0, 0);
  it('says how long ago, and never for 0', () => {
    expect(formatAgo(0, now)).toBe('never');
    expect(formatAgo(now - 30_000, now)).toBe('just now');
    expect(formatAgo(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(formatAgo(now - 3 * 86_400_000, now)).toBe('3 days ago');
    expect(formatAgo(now - 86_400_000, now)).toBe('1 day ago');
  });

  it('writes dates for tooltips and chart axes in a fixed form', () => {
    const opts = { locale: 'en-GB', timeZone: 'UTC' };
    expect(formatDate(now, opts)).toBe('12 Mar 2025, 12:00');
    expect(formatDay(now, opts)).toBe('12 Mar');
    expect(formatDate(0, opts)).toBe('never');
  });

  it('writes durations from milliseconds to minutes', () => {
    expect(formatDuration(350)).toBe('350 ms');
    expect(formatDuration(2140)).toBe('2.1 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(65_000)).toBe('1 min 5 s');
    expect(formatDuration(120_000)).toBe('2 min');
    expect(formatDuration(Number.NaN)).toBe('—');
  });
});

describe('ratios and counts', () => {
  it('rounds percentages without claiming 0% or 100% for what is not', () => {
    expect(formatPercent(null)).toBe('—');
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.004)).toBe('<1%');
    expect(formatPercent(0.874)).toBe('87%');
    expect(formatPercent(0.996)).toBe('>99%');
    expect(formatPercent(1)).toBe('100%');
  });

  it('pluralises with separators, and shortens digests as docker does', () => {
    expect(plural(1, 'tag')).toBe('1 tag');
    expect(plural(10_000, 'tag')).toBe('10,000 tags');
    expect(plural(2, 'repository', 'repositories')).toBe('2 repositories');
    expect(shortDigest(`sha256:${'0123456789ab'.repeat(5)}abcd`)).toBe('0123456789ab');
    expect(shortDigest(null)).toBe('—');
  });
});
