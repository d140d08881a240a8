// How sizes, times and ratios read in the UI. Bytes and "ago" come from the core (the CLI prints the
// same); the rest is the UI's own.
export { formatAgo, formatBytes, parseBytes } from '../../app/util/format.js';

/** Bytes with three significant digits ("93.6 GB"), where a small change must stay visible. */
export function formatBytesPrecise(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '-';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
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

/** 350 -> "350 ms", 2140 -> "2.1 s", 65000 -> "1 min 5 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const min = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s ? `${min} min ${s} s` : `${min} min`;
}

/** A moment as people read it: "12 Mar 2025, 14:05"; "never" for 0. */
export function formatDate(ms: number, opts: { locale?: string; timeZone?: string } = {}): string {
  if (!ms) return 'never';
  return new Intl.DateTimeFormat(opts.locale ?? 'en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
  }).format(ms);
}

/** A short day for chart axes: "12 Mar". */
export function formatDay(ms: number, opts: { locale?: string; timeZone?: string } = {}): string {
  return new Intl.DateTimeFormat(opts.locale ?? 'en-GB', {
    day: 'numeric',
    month: 'short',
    ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
  }).format(ms);
}

/** A time of day for short chart axes: "14:05". */
export function formatTime(ms: number, opts: { locale?: string; timeZone?: string } = {}): string {
  return new Intl.DateTimeFormat(opts.locale ?? 'en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
  }).format(ms);
}

/** 1 -> "1 tag", 3 -> "3 tags"; a thousands separator for big counts. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** sha256:abcdef… -> "abcdef123456" (the first 12 hex digits, as docker prints image ids). */
export function shortDigest(digest: string | null | undefined): string {
  if (!digest) return '—';
  return digest.replace(/^sha256:/, '').slice(0, 12);
}
