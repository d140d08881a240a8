// Disk usage counted the way `du -sb` counts it: apparent sizes of files, directories and symlinks,
// each inode once (a hard-linked file is counted once however many names it has).
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { isGone, lstatOrNone, runQueue, type ScanFs } from './fs-port.js';

export interface DiskUsage {
  /** Bytes of entries with a single name. */
  bytes: number;
  /** Files with several names, by `dev:ino`: deduplicated when usages are merged. */
  multi: Map<string, number>;
}

export function emptyUsage(): DiskUsage {
  return { bytes: 0, multi: new Map() };
}

export function addEntry(usage: DiskUsage, stats: Stats): void {
  if (!stats.isDirectory() && stats.nlink > 1) usage.multi.set(`${stats.dev}:${stats.ino}`, stats.size);
  else usage.bytes += stats.size;
}

export function mergeUsage(into: DiskUsage, from: DiskUsage): DiskUsage {
  into.bytes += from.bytes;
  for (const [key, size] of from.multi) into.multi.set(key, size);
  return into;
}

export function usageBytes(usage: DiskUsage): number {
  let total = usage.bytes;
  for (const size of usage.multi.values()) total += size;
  return total;
}

/**
 * Called for every entry with its path relative to the walk's root ('' for the root). For a directory,
 * answering false stops the walk from descending into it (the entry itself is counted); answering a
 * list of names visits just those children, without listing the directory: a link directory holds
 * only `link`, and skipping ~100,000 readdir calls is most of a full scan's time.
 */
export type Visit = (rel: string, stats: Stats) => boolean | void | string[];

/** Walks root iteratively (bounded concurrency), counting every entry, root included. */
export async function walkUsage(
  fs: ScanFs,
  root: string,
  concurrency: number,
  visit?: Visit,
): Promise<DiskUsage> {
  const usage = emptyUsage();
  await runQueue([''], concurrency, async (rel, push) => {
    const path = rel === '' ? root : join(root, rel);
    const stats = await lstatOrNone(fs, path);
    if (!stats) return;
    addEntry(usage, stats);
    const descend = visit?.(rel, stats);
    if (descend === false || !stats.isDirectory()) return;
    let names: string[];
    if (Array.isArray(descend)) names = descend;
    else {
      try {
        names = (await fs.readdir(path)).map((e) => e.name);
      } catch (err) {
        if (isGone(err)) return;
        throw err;
      }
    }
    for (const name of names) push(rel === '' ? name : join(rel, name));
  });
  return usage;
}
