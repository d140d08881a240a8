import { describe, expect, it } from 'vitest';
import type { PrunePlanView } from '../../app/contract/values.js';
import { report, repo } from '../testing.js';
import {
  compareWithPreview,
  describeSelection,
  phaseOf,
  previewRows,
  previewSummary,
  pruneProgress,
  selectionOf,
} from './prune.js';

const MB = 1000 * 1000;
const form = {
  mode: 'unused' as const,
  selection: new Set<string>(),
  days: '30',
  size: '',
  quotaBytes: null,
};

describe('selectionOf', () => {
  it('turns each mode into the selection the core plans', () => {
    expect(selectionOf(form)).toEqual({ selection: { kind: 'unused', days: 30 } });
    expect(selectionOf({ ...form, mode: 'shrink', size: '1.5 GB' })).toEqual({
      selection: { kind: 'shrink', targetBytes: 1.5 * 1000 ** 3 },
    });
    expect(selectionOf({ ...form, mode: 'selected', selection: new Set(['a/b', 'c/d:v1']) })).toEqual({
      selection: { kind: 'items', items: [{ repo: 'a/b' }, { repo: 'c/d', tag: 'v1' }] },
    });
    expect(selectionOf({ ...form, mode: 'quota', quotaBytes: 10 * MB })).toEqual({
      selection: { kind: 'quota', quotaBytes: 10 * MB },
    });
  });

  it('says what is wrong instead, for the field', () => {
    expect(selectionOf({ ...form, days: '' })).toEqual({
      problem: expect.stringMatching(/whole number of days/),
    });
    expect(selectionOf({ ...form, days: '2.5' })).toHaveProperty('problem');
    expect(selectionOf({ ...form, days: '-1' })).toHaveProperty('problem');
    expect(selectionOf({ ...form, mode: 'shrink', size: 'lots' })).toEqual({
      problem: expect.stringMatching(/10 GB/),
    });
    expect(selectionOf({ ...form, mode: 'selected' })).toEqual({ problem: expect.stringMatching(/Choose/) });
    expect(selectionOf({ ...form, mode: 'quota' })).toEqual({ problem: expect.stringMatching(/no quota/) });
  });

  it('describes a selection in words', () => {
    expect(describeSelection(new Set(['a/b']))).toBe('1 repository');
    expect(describeSelection(new Set(['a/b', 'c/d', 'c/d:v1']))).toBe('2 repositories and 1 tag');
    expect(describeSelection(new Set(['c/d:v1', 'c/d:v2']))).toBe('2 tags');
  });
});

describe('the preview', () => {
  const plan: PrunePlanView = {
    id: 'p',
    createdAt: 0,
    reason: 'chosen',
    repositories: ['library/nginx'],
    tags: [{ repo: 'library/busybox', tag: 'old', revisions: ['sha256:x', 'sha256:y'] }],
    bytes: 40 * MB,
    orphanBytes: 2 * MB,
    totalBefore: 200 * MB,
    blobs: 7,
  };

  it('lists whole repositories with their sizes, then tags', () => {
    const rows = previewRows(plan, report([repo('library/nginx', 50 * MB, { exclusiveBytes: 40 * MB })]));
    expect(rows).toEqual([
      {
        key: 'library/nginx',
        label: 'library/nginx',
        detail: 'whole repository · 1 tag · 40 MB of it only here',
        bytes: 50 * MB,
      },
      {
        key: 'library/busybox:old',
        label: 'library/busybox:old',
        detail: 'tag · 2 manifests',
        bytes: undefined,
      },
    ]);
  });

  it('frees the plan’s bytes plus what was already unreferenced, and shows the size after', () => {
    expect(previewSummary(plan)).toEqual({
      frees: '42 MB',
      after: '200 MB → 158 MB',
      extra: 'includes 2.0 MB no repository used any more',
    });
    expect(previewSummary({ ...plan, orphanBytes: 0 })).not.toHaveProperty('extra');
  });
});

describe('progress and result', () => {
  it('maps steps to the three phases (remove, delete unused blobs, finish); a fallback stop joins removing', () => {
    const p = (step: 'planned' | 'stopped' | 'removed' | 'collecting' | 'collected' | 'done') => ({
      operation: 'prune' as const,
      step,
      fraction: 0,
      message: '',
    });
    expect(
      ['planned', 'stopped', 'removed', 'collecting', 'collected', 'done'].map((s) => phaseOf(p(s as never))),
    ).toEqual([0, 0, 1, 1, 2, 3]);
    expect(phaseOf(undefined)).toBe(0);
  });

  const result = (freed: number) => ({
    planId: 'p',
    previewBytes: 40 * MB,
    orphanBytes: 2 * MB,
    freedBytes: freed,
    gc: { marked: 1, eligibleBlobs: 3, eligibleManifests: 1, ms: 10 },
    downtimeMs: 0,
    collector: { kind: 'sweep' as const },
    mode: 'proxy' as const,
  });

  it('compares freed bytes with the preview', () => {
    expect(compareWithPreview(result(42 * MB))).toEqual({
      tone: 'ok',
      text: 'Exactly as previewed (42 MB).',
    });
    expect(compareWithPreview(result(42 * MB - 1000)).tone).toBe('ok');
    expect(compareWithPreview(result(30 * MB))).toEqual({
      tone: 'warn',
      text: '12 MB less than the preview of 42 MB: the cache changed while pruning (a pull in between).',
    });
    expect(compareWithPreview(result(50 * MB)).text).toMatch(/^8\.0 MB more than the preview/);
  });
});

describe('pruneProgress', () => {
  it('is one indicator that only grows, with the step in words', () => {
    const at = (step: 'stopped' | 'removed' | 'collected' | 'done') =>
      pruneProgress({ operation: 'prune', step, fraction: 0.9, message: '' });
    expect(pruneProgress(undefined)).toEqual({ value: 0, text: 'Remove, step 1 of 3' });
    expect(at('stopped')).toEqual({ value: 0, text: 'Remove, step 1 of 3' });
    expect(at('removed')).toEqual({ value: 1 / 3, text: 'Delete unused blobs, step 2 of 3' });
    expect(at('collected')).toEqual({ value: 2 / 3, text: 'Finish, step 3 of 3' });
    expect(at('done')).toEqual({ value: 1, text: 'Done' });
  });
});
