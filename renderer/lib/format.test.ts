import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatBytes,
  formatBytesPrecise,
  formatDate,
  formatDay,
  formatDuration,
  formatPercent,
  formatTime,
  repoName,
  plural,
  shortDigest,
} from './format.js';

describe('bytes', () => {
  it('reads decimal multiples like Finder', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1500)).toBe('1.5 KB');
    expect(formatBytes(600 * 1000)).toBe('600 KB');
    expect(formatBytes(94.4 * 1000 ** 3)).toBe('94 GB');
    // A 270.6 GB volume: Finder says 271 GB, a binary count would say "252 GB".
    expect(formatBytes(270.6 * 1000 ** 3)).toBe('271 GB');
    expect(formatBytes(-1)).toBe('-');
  });

  it('keeps three digits where a small change must show (before -> after a prune)', () => {
    expect(formatBytesPrecise(94.4 * 1000 ** 3)).toBe('94.4 GB');
    expect(formatBytesPrecise(93.93 * 1000 ** 3)).toBe('93.9 GB');
    expect(formatBytesPrecise(1.5 * 1000 ** 2)).toBe('1.50 MB');
    expect(formatBytesPrecise(512 * 1000)).toBe('512 KB');
    expect(formatBytesPrecise(12)).toBe('12 B');
  });
});

describe('times', () => {
  const now = Date.UTC(2025, 2, 12, 12, 0, 0);
  it("says how long ago in the locale's words, and never for 0", () => {
    const en = { locale: 'en-US' };
    expect(formatAgo(0, now, en)).toBe('never');
    expect(formatAgo(now - 30_000, now, en)).toBe('just now');
    expect(formatAgo(now - 5 * 60_000, now, en)).toBe('5 minutes ago');
    expect(formatAgo(now - 3 * 86_400_000, now, en)).toBe('3 days ago');
    expect(formatAgo(now - 86_400_000, now, en)).toBe('yesterday');
    expect(formatAgo(now - 5 * 60_000, now, { locale: 'de-DE' })).toBe('vor 5 Minuten');
  });

  it("writes dates and times as the system's locale does, not one fixed form", () => {
    const gb = { locale: 'en-GB', timeZone: 'UTC' };
    const us = { locale: 'en-US', timeZone: 'UTC' };
    const pm = now + 2 * 3_600_000 + 5 * 60_000;
    expect(formatDate(pm, gb)).toBe('12 Mar 2025, 14:05');
    expect(formatDate(pm, us)).toBe('Mar 12, 2025, 2:05 PM');
    expect(formatTime(pm, gb)).toBe('14:05');
    expect(formatTime(pm, us)).toBe('2:05 PM');
    expect(formatDay(now, gb)).toBe('12 Mar');
    expect(formatDay(now, us)).toBe('Mar 12');
    expect(formatDate(0, gb)).toBe('never');
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
    expect(plural(10_000, 'tag', undefined, { locale: 'en-US' })).toBe('10,000 tags');
    expect(repoName('library/nginx')).toBe('nginx');
    expect(repoName('bitnami/redis')).toBe('bitnami/redis');
    expect(plural(2, 'repository', 'repositories')).toBe('2 repositories');
    expect(shortDigest(`sha256:${'0123456789ab'.repeat(5)}abcd`)).toBe('0123456789ab');
    expect(shortDigest(null)).toBe('—');
  });
});
