import { describe, expect, it } from 'vitest';
import { formatAgo, formatBytes, formatDuration, parseBytes } from './format.js';

describe('format', () => {
  it('formats bytes in decimal units, as Finder counts them', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1500)).toBe('1.5 KB');
    expect(formatBytes(100 * 1000 ** 2)).toBe('100 MB');
    expect(formatBytes(5.25 * 1000 ** 3)).toBe('5.3 GB');
    // Finder shows a 270.6 GB volume (252 GiB) as "271 GB", not "252 GB".
    expect(formatBytes(270_600_000_000)).toBe('271 GB');
    expect(formatBytes(999_600)).toBe('1.0 MB');
    expect(formatBytes(-1)).toBe('-');
  });
  it('parses sizes people type', () => {
    expect(parseBytes('10GB')).toBe(10 * 1000 ** 3);
    expect(parseBytes('1.5 g')).toBe(1.5 * 1000 ** 3);
    expect(parseBytes('500M')).toBe(500 * 1000 ** 2);
    expect(parseBytes('2KiB')).toBe(2048);
    expect(parseBytes('1GiB')).toBe(1024 ** 3);
    expect(parseBytes('1024')).toBe(1024);
    expect(parseBytes('5iB')).toBeUndefined();
    // What is shown can be typed back.
    expect(parseBytes(formatBytes(20 * 1000 ** 3))).toBe(20 * 1000 ** 3);
    expect(parseBytes('ten')).toBeUndefined();
    expect(parseBytes('-1G')).toBeUndefined();
  });
  it('says how long ago', () => {
    const now = Date.parse('2026-11-29T12:00:00Z');
    expect(formatAgo(0, now)).toBe('never');
    expect(formatAgo(now - 10_000, now)).toBe('just now');
    expect(formatAgo(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(formatAgo(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(formatAgo(now - 86_400_000, now)).toBe('1 day ago');
    expect(formatAgo(now - 40 * 86_400_000, now)).toBe('1 month ago');
    expect(formatAgo(now - 800 * 86_400_000, now)).toBe('2 years ago');
  });
  it('says how long something took, one way everywhere', () => {
    expect(formatDuration(350)).toBe('350 ms');
    expect(formatDuration(1545)).toBe('1.5 s');
    expect(formatDuration(65_000)).toBe('1 min 5 s');
    expect(formatDuration(-1)).toBe('—');
  });
});
