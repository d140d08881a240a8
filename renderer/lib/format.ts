// How sizes, times and ratios read in the UI. Sizes and durations come from the core (the CLI prints the
// same): decimal like Finder. Dates and relative times follow the system's locale through Intl (the
// locale and time zone can be given, for tests).
export { formatBytes, formatDuration, parseBytes } from '../../app/util/format.js';

export interface LocaleOpts {
  locale?: string;
  timeZone?: string;
}

/** Bytes with three significant digits ("93.6 GB"), where a small change must stay visible. */
export function formatBytesPrecise(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '-';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  if (u === 0) return `${v} B`;
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${units[u]}`;
}

/** 0.874 -> "87%"; null (nothing pulled yet) -> "—". */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  const pct = ratio * 100;
  if (pct > 0 && pct < 1) return '<1%';
  if (pct < 100 && pct > 99) return '>99%';
  return `${Math.round(pct)}%`;
}

const RELATIVE: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['minute', 60],
  ['hour', 60],
  ['day', 24],
  ['month', 30],
  ['year', 12],
];

/**
 * "5 minutes ago", "yesterday", "3 days ago" in the system's words (Intl.RelativeTimeFormat); "just now"
 * under a minute and "never" for 0.
 */
export function formatAgo(ms: number, now = Date.now(), opts: LocaleOpts = {}): string {
  if (!ms) return 'never';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return 'just now';
  let v = s / 60;
  let unit: Intl.RelativeTimeFormatUnit = 'minute';
  for (let i = 1; i < RELATIVE.length && v >= RELATIVE[i]![1]; i++) {
    v /= RELATIVE[i]![1];
    unit = RELATIVE[i]![0];
  }
  return new Intl.RelativeTimeFormat(opts.locale, { numeric: 'auto' }).format(-Math.floor(v), unit);
}

function zone(opts: LocaleOpts): Intl.DateTimeFormatOptions {
  return opts.timeZone ? { timeZone: opts.timeZone } : {};
}

/** A moment as the system writes it ("12 Mar 2025, 14:05" in en-GB, "Mar 12, 2025, 2:05 PM" in en-US). */
export function formatDate(ms: number, opts: LocaleOpts = {}): string {
  if (!ms) return 'never';
  return new Intl.DateTimeFormat(opts.locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    ...zone(opts),
  }).format(ms);
}

/** A short day for chart axes: "12 Mar" / "Mar 12". */
export function formatDay(ms: number, opts: LocaleOpts = {}): string {
  return new Intl.DateTimeFormat(opts.locale, { day: 'numeric', month: 'short', ...zone(opts) }).format(ms);
}

/** A time of day in the system's clock (24-hour or AM/PM): "14:05" / "2:05 PM". */
export function formatTime(ms: number, opts: LocaleOpts = {}): string {
  return new Intl.DateTimeFormat(opts.locale, { timeStyle: 'short', ...zone(opts) }).format(ms);
}

/** 1 -> "1 tag", 3 -> "3 tags"; the system's thousands separator for big counts. */
export function plural(n: number, one: string, many = `${one}s`, opts: LocaleOpts = {}): string {
  return `${n.toLocaleString(opts.locale)} ${n === 1 ? one : many}`;
}

/** sha256:abcdef… -> "abcdef123456" (the first 12 hex digits, as docker prints image ids). */
export function shortDigest(digest: string | null | undefined): string {
  if (!digest) return '—';
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** "library/nginx" -> "nginx": Docker Hub's official images read as people type them. */
export function repoName(name: string): string {
  return name.startsWith('library/') ? name.slice('library/'.length) : name;
}
