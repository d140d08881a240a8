// The prune flow's logic: what the user asked for as a selection the core understands, the preview's
// rows, the progress steps, and how the result compares with the preview.
import type { CacheReport } from '../../app/cache/report.js';
import type { PruneSelection } from '../../app/cache/service.js';
import type { CacheProgress, PrunePlanView } from '../../app/contract/values.js';
import type { PruneResult } from '../../app/cache/prune/execute.js';
import { formatBytes, formatBytesPrecise, parseBytes } from './format.js';
import { pruneItems } from './repos.js';

export type PruneMode = 'selected' | 'unused' | 'shrink' | 'quota';

export interface PruneForm {
  mode: PruneMode;
  selection: ReadonlySet<string>;
  /** "not pulled for N days", as typed */
  days: string;
  /** "shrink to", as typed: "10 GB", "500M" */
  size: string;
  quotaBytes: number | null;
}

/** The selection for the core, or what is wrong with the form (shown next to the field). */
export function selectionOf(form: PruneForm): { selection: PruneSelection } | { problem: string } {
  switch (form.mode) {
    case 'selected': {
      const items = pruneItems(form.selection);
      return items.length
        ? { selection: { kind: 'items', items } }
        : { problem: 'Choose repositories or tags in Repositories first.' };
    }
    case 'unused': {
      const days = Number(form.days.trim());
      if (!form.days.trim() || !Number.isInteger(days) || days < 0 || days > 36_500)
        return { problem: 'Enter a whole number of days, like 30.' };
      return { selection: { kind: 'unused', days } };
    }
    case 'shrink': {
      const bytes = parseBytes(form.size);
      if (bytes === undefined) return { problem: 'Enter a size like 10 GB or 500 MB.' };
      return { selection: { kind: 'shrink', targetBytes: bytes } };
    }
    case 'quota':
      if (form.quotaBytes === null) return { problem: 'There is no quota: set one in Settings.' };
      return { selection: { kind: 'quota', quotaBytes: form.quotaBytes } };
  }
}

/** "1 repository and 2 tags" for what is selected. */
export function describeSelection(selection: ReadonlySet<string>): string {
  let repos = 0;
  let tags = 0;
  for (const k of selection) {
    if (k.includes(':')) tags++;
    else repos++;
  }
  const part = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return [repos ? part(repos, 'repository', 'repositories') : '', tags ? part(tags, 'tag', 'tags') : '']
    .filter(Boolean)
    .join(' and ');
}

export interface PreviewRow {
  key: string;
  label: string;
  detail: string;
  /** what the row weighs now (for a repository: its size; for a tag: unknown here) */
  bytes: number | undefined;
}

/** What goes, one row each: whole repositories with their sizes, then single tags. */
export function previewRows(plan: PrunePlanView, report: CacheReport | undefined): PreviewRow[] {
  const repos = new Map(report?.repositories.map((r) => [r.name, r]) ?? []);
  const rows: PreviewRow[] = plan.repositories.map((name) => {
    const r = repos.get(name);
    return {
      key: name,
      label: name,
      detail: r
        ? `whole repository · ${r.tags.length} ${r.tags.length === 1 ? 'tag' : 'tags'} · ${formatBytes(r.exclusiveBytes)} of it only here`
        : 'whole repository',
      bytes: r?.totalBytes,
    };
  });
  for (const t of plan.tags) {
    rows.push({
      key: `${t.repo}:${t.tag}`,
      label: `${t.repo}:${t.tag}`,
      detail: `tag · ${t.revisions.length} ${t.revisions.length === 1 ? 'manifest' : 'manifests'}`,
      bytes: undefined,
    });
  }
  return rows;
}

export function isEmptyPlan(plan: PrunePlanView): boolean {
  return plan.repositories.length === 0 && plan.tags.length === 0;
}

/** The preview's headline: exact bytes freed, and what the cache will weigh afterwards. */
export function previewSummary(plan: PrunePlanView): { frees: string; after: string; extra?: string } {
  const total = plan.bytes + plan.orphanBytes;
  return {
    frees: formatBytes(total),
    after: `${formatBytesPrecise(plan.totalBefore)} → ${formatBytesPrecise(Math.max(0, plan.totalBefore - total))}`,
    ...(plan.orphanBytes
      ? { extra: `includes ${formatBytes(plan.orphanBytes)} no repository used any more` }
      : {}),
  };
}

export const PRUNE_STEPS: Array<{ step: CacheProgress['step']; label: string }> = [
  { step: 'removed', label: 'Remove' },
  { step: 'collected', label: 'Delete unused blobs' },
  { step: 'started', label: 'Finish' },
];

// A prune that falls back to the registry's garbage collection also stops and starts the mirror: those
// belong to the step they happen in (stopping before removing, starting again once collected).
const PHASE: Record<CacheProgress['step'], number> = {
  planned: 0,
  stopped: 0,
  removing: 0,
  removed: 1,
  collecting: 1,
  collected: 2,
  started: 3,
  done: 3,
  // reset's steps, for the same indicator
  stopping: 0,
  deleting: 1,
  starting: 2,
};

/** Which of the three phases a prune is in: 0 remove … 2 finish, 3 when all are done. */
export function phaseOf(p: CacheProgress | undefined): number {
  return p ? PHASE[p.step] : 0;
}

export interface Comparison {
  tone: 'ok' | 'warn';
  text: string;
}

/**
 * Freed bytes against the preview. The preview counts what the plan frees plus blobs already
 * unreferenced; a difference means the cache changed in between (a pull during the prune).
 */
export function compareWithPreview(result: PruneResult): Comparison {
  const expected = result.previewBytes + result.orphanBytes;
  const diff = result.freedBytes - expected;
  if (diff === 0) return { tone: 'ok', text: `Exactly as previewed (${formatBytes(expected)}).` };
  const tolerance = Math.max(4096, expected * 0.01);
  const rel = diff > 0 ? 'more' : 'less';
  return {
    tone: Math.abs(diff) <= tolerance ? 'ok' : 'warn',
    text: `${formatBytes(Math.abs(diff))} ${rel} than the preview of ${formatBytes(expected)}${
      Math.abs(diff) <= tolerance ? '' : ': the cache changed while pruning (a pull in between)'
    }.`,
  };
}

/**
 * The one progress indicator of a prune: where it is among the four steps, as a fraction that only
 * grows ("Delete unused blobs, step 2 of 3"), so two bars can never disagree.
 */
export function pruneProgress(p: CacheProgress | undefined): { value: number; text: string } {
  const phase = Math.min(phaseOf(p), PRUNE_STEPS.length);
  if (phase >= PRUNE_STEPS.length) return { value: 1, text: 'Done' };
  return {
    value: phase / PRUNE_STEPS.length,
    text: `${PRUNE_STEPS[phase]!.label}, step ${phase + 1} of ${PRUNE_STEPS.length}`,
  };
}
