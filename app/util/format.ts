// Formatting and parsing of sizes and times, shared by the CLI and the UI. Sizes are decimal (1 KB =
// 1000 bytes), as macOS's Finder and Disk Utility count them, so what the app says a cache holds
// matches what Finder says the folder holds.
const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1_500_000 -> "1.5 MB": decimal multiples, one decimal under 10, whole numbers above. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '-';
  let v = n;
  let u = 0;
  while (v >= 1000 && u < UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  if (u === 0) return `${v} B`;
  // 999.6 KB would round to "1000 KB": say "1.0 MB" instead.
  if (Math.round(v) >= 1000 && u < UNITS.length - 1) return `1.0 ${UNITS[u + 1]}`;
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${UNITS[u]}`;
}

/**
 * "10GB", "1.5 g", "500M", "1000" -> bytes; undefined when it is not a size. KB, MB, GB, TB (and k, m,
 * g, t) are decimal like formatBytes, so a size shown can be typed back; KiB, MiB, GiB, TiB are binary.
 */
export function parseBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)(?:b)?\s*$/i.exec(text);
  if (!m) return undefined;
  const power = ' kmgt'.indexOf((m[2] || ' ').toLowerCase());
  if (m[3] && power === 0) return undefined;
  return Math.round(Number(m[1]) * (m[3] ? 1024 : 1000) ** power);
}

/** A time as "3 min ago", "2 days ago", "never" (relative to `now`). */
export function formatAgo(ms: number, now = Date.now()): string {
  if (!ms) return 'never';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return 'just now';
  const steps: Array<[number, string]> = [
    [60, 'min'],
    [60, 'h'],
    [24, 'day'],
    [30, 'month'],
    [12, 'year'],
  ];
  let v = s / 60;
  let unit = 'min';
  for (let i = 1; i < steps.length && v >= steps[i]![0]; i++) {
    v /= steps[i]![0];
    unit = steps[i]![1];
  }
  const n = Math.floor(v);
  const plural = unit === 'min' || unit === 'h' || n === 1 ? '' : 's';
  return `${n} ${unit}${plural} ago`;
}

/** 350 -> "350 ms", 2140 -> "2.1 s", 65000 -> "1 min 5 s": every duration the app and CLI show. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const min = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s ? `${min} min ${s} s` : `${min} min`;
}
