// Retention owned by the app: which repositories go when the user asks for "not pulled for N days" or
// "shrink to N GB", or when the cache grows past its quota. Least recently pulled first; sharing-aware,
// so "shrink to" stops as soon as what garbage collection would free gets the cache under the target.
import type { AccessRecords } from './access/records.js';
import type { PruneItem } from './prune/plan.js';
import type { RepositoryScan, ScanResult } from './scan/types.js';

/** A retention rule: what to prune is decided on the scan, at the moment of planning. */
export type RetentionRule =
  | { kind: 'unused'; days: number }
  | { kind: 'shrink'; targetBytes: number }
  | { kind: 'quota'; quotaBytes: number | null };

/** The repositories a rule selects on this scan, and the reason a prune plan gives for them. */
export function selectByRule(
  scan: ScanResult,
  access: AccessRecords | undefined,
  rule: RetentionRule,
  now: number,
): { items: PruneItem[]; reason: string } {
  switch (rule.kind) {
    case 'unused':
      return {
        items: notPulledFor(scan, access, rule.days, now),
        reason: `not pulled for ${rule.days} days`,
      };
    case 'shrink':
      return {
        items: shrinkTo(scan, access, rule.targetBytes),
        reason: `shrink to ${rule.targetBytes} bytes`,
      };
    case 'quota':
      return { items: overQuota(scan, access, rule.quotaBytes), reason: 'over quota' };
  }
}

/** The last pull we know of: the access log, else the tag links' mtimes (pulls before the app watched). */
export function lastPullOf(repo: Pick<RepositoryScan, 'name' | 'tags'>, access?: AccessRecords): number {
  const fromLinks = Math.max(0, ...repo.tags.map((t) => t.linkMtime));
  return Math.max(fromLinks, access?.repos[repo.name]?.lastPull ?? 0);
}

export function notPulledFor(
  scan: Pick<ScanResult, 'repositories'>,
  access: AccessRecords | undefined,
  days: number,
  now: number,
): PruneItem[] {
  const cutoff = now - days * 86_400_000;
  return scan.repositories.filter((r) => lastPullOf(r, access) < cutoff).map((r) => ({ repo: r.name }));
}

/**
 * Least recently pulled repositories until the cache would be at most `targetBytes`. Counts how many
 * repositories mark each blob, so a shared layer is freed only when its last user goes.
 */
export function shrinkTo(
  scan: ScanResult,
  access: AccessRecords | undefined,
  targetBytes: number,
): PruneItem[] {
  // GC frees the orphans anyway: start from what remains after that.
  let size = scan.blobBytes - scan.orphans.bytes;
  if (size <= targetBytes) return [];
  const counts = new Map<string, number>();
  for (const r of scan.repositories) {
    if (!r.gcEnumerated) continue;
    for (const d of r.blobs) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  const order = [...scan.repositories].sort(
    (a, b) => lastPullOf(a, access) - lastPullOf(b, access) || a.name.localeCompare(b.name),
  );
  const items: PruneItem[] = [];
  for (const r of order) {
    if (size <= targetBytes) break;
    items.push({ repo: r.name });
    if (!r.gcEnumerated) continue;
    for (const d of r.blobs) {
      const left = (counts.get(d) ?? 0) - 1;
      counts.set(d, left);
      if (left === 0) size -= scan.blobSizes[d] ?? 0;
    }
  }
  return items;
}

/** The repositories the quota asks to prune now (empty when the cache fits). */
export function overQuota(
  scan: ScanResult,
  access: AccessRecords | undefined,
  quotaBytes: number | null,
): PruneItem[] {
  if (quotaBytes === null || scan.blobBytes <= quotaBytes) return [];
  return shrinkTo(scan, access, quotaBytes);
}
