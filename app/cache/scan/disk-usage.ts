// Disk usage counted the way `du -sb` counts it: apparent sizes of files, directories and symlinks,
// each inode once (a hard-linked file is counted once however many names it has).
import type { Stats } from 'node:fs';
import { listOrNone, lstatOrNone, type ScanFs } from './fs-port.js';

export interface DiskUsage {
  /** Bytes of entries with a single name. */
  bytes: number;
  /** Files with several names, by `dev:ino`: deduplicated when usages are merged. Made on first use. */
  multi?: Map<string, number>;
}

export function emptyUsage(): DiskUsage {
  return { bytes: 0 };
}

export function addEntry(usage: DiskUsage, stats: Stats): void {
  if (stats.nlink > 1 && !stats.isDirectory())
    (usage.multi ??= new Map()).set(`${stats.dev}:${stats.ino}`, stats.size);
  else usage.bytes += stats.size;
}

export function mergeUsage(into: DiskUsage, from: DiskUsage): DiskUsage {
  into.bytes += from.bytes;
  if (from.multi) for (const [key, size] of from.multi) (into.multi ??= new Map()).set(key, size);
  return into;
}

export function usageBytes(usage: DiskUsage): number {
  let total = usage.bytes;
  if (usage.multi) for (const size of usage.multi.values()) total += size;
  return total;
}

/**
 * Counts `path` and everything below it into `usage`. `skip(path)` answering true for a directory
 * counts the directory itself but does not descend into it. Returns the entry's stats.
 */
export function walkUsage(
  fs: ScanFs,
  path: string,
  usage: DiskUsage,
  skip?: (path: string) => boolean,
): Stats | undefined {
  const stats = lstatOrNone(fs, path);
  if (!stats) return undefined;
  addEntry(usage, stats);
  if (stats.isDirectory() && !skip?.(path)) {
    for (const name of listOrNone(fs, path)) walkUsage(fs, `${path}/${name}`, usage, skip);
  }
  return stats;
}
