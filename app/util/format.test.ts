import { describe, expect, it } from 'vitest';
import { formatAgo, formatBytes, parseBytes } from './format.js';

describe('format', () => {
  it('formats bytes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(100 * 1024 ** 2)).toBe('100 MB');
    expect(formatBytes(5.25 * 1024 ** 3)).toBe('5.3 GB');
    expect(formatBytes(-1)).toBe('-');
  });
  it('parses sizes people type', () => {
    expect(parseBytes('10GB')).toBe(10 * 1024 ** 3);
    expect(parseBytes('1.5 g')).toBe(1.5 * 1024 ** 3);
    expect(parseBytes('500M')).toBe(500 * 1024 ** 2);
    expect(parseBytes('2KiB')).toBe(2048);
    expect(parseBytes('1024')).toBe(1024);
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
});
