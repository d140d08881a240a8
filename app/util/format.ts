// Formatting and parsing of sizes and times, shared by the CLI and the UI.
const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1536 -> "1.5 KB" (binary multiples, as du and Docker show them). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '-';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${UNITS[u]}`;
}

/** "10GB", "1.5 g", "500M", "1024" -> bytes; undefined when it is not a size. */
export function parseBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!m) return undefined;
  const power = ' kmgt'.indexOf((m[2] || ' ').toLowerCase());
  return Math.round(Number(m[1]) * 1024 ** power);
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
