// @vitest-environment happy-dom
// The prune flow against an API that answers as main would: a preview with exact bytes, the prune by
// the plan's id only, progress, and the result compared with the preview.
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { PrunePlanView } from '../../app/contract/values.js';
import { statusIn } from '../../main/testing/status.js';
import { fakeApi, Providers, report, repo } from '../testing.js';
import { PruneView } from './PruneView.js';

const MB = 1000 * 1000;
const PLAN: PrunePlanView = {
  id: '7f9c1e2a-3b4d-4c5e-8f60-718293a4b5c6',
  createdAt: 0,
  reason: 'not pulled for 30 days',
  repositories: ['library/nginx', 'library/redis'],
  tags: [],
  bytes: 120 * MB,
  orphanBytes: 0,
  totalBefore: 300 * MB,
  blobs: 9,
};

function setup(selection = new Set<string>()) {
  const view = (sel: Set<string>) => (
    <Providers api={api}>
      <PruneView selection={sel} onPruned={() => {}} onNavigate={() => {}} />
    </Providers>
  );
  const api = fakeApi({
    'mirror.status': statusIn('running'),
    'settings.get': { version: 3, mirror: {} as never, app: { quotaBytes: null } as never },
    'upstream.status': { url: 'https://registry-1.docker.io', reachable: true, ms: 1, checkedAt: '' },
    'notices.list': [],
    'cache.history': [],
    'cache.report': report([repo('library/nginx', 100 * MB), repo('library/redis', 60 * MB)]),
    'cache.plan': PLAN,
  });
  const r = render(view(selection));
  return Object.assign(api, { rerender: (sel: Set<string>) => r.rerender(view(sel)) });
}

afterEach(cleanup);

describe('PruneView', () => {
  it('previews "not pulled for N days" with what goes and the exact bytes, then prunes that plan by id', async () => {
    const api = setup();
    fireEvent.change(screen.getByLabelText('Not pulled for'), { target: { value: '30' } });
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect(await screen.findByTestId('preview-bytes')).toHaveProperty('textContent', '120 MB');
    expect(api.calls.find((c) => c.name === 'cache.plan')?.input).toEqual({
      selection: { kind: 'unused', days: 30 },
    });
    const list = screen.getByRole('list', { name: 'What goes' });
    expect(
      within(list)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual([
      expect.stringMatching(/^library\/nginx.*100 MB$/),
      expect.stringMatching(/^library\/redis.*60 MB$/),
    ]);
    expect(screen.getByText('300 MB → 180 MB')).toBeTruthy();

    let finish: (v: unknown) => void = () => {};
    api.answers['cache.prune'] = () => new Promise((r) => (finish = r as never));
    fireEvent.click(screen.getByRole('button', { name: 'Prune 120 MB' }));
    expect(api.calls.find((c) => c.name === 'cache.prune')?.input).toEqual({ planId: PLAN.id });
    act(() => {
      api.emit('mirror.operation', 'prune');
      api.emit('cache.progress', {
        operation: 'prune',
        step: 'collecting',
        fraction: 0.4,
        message: 'sweeping unreferenced blobs',
      });
    });
    // One progress indicator, with the step in words; the preview stays in view through the run.
    const bars = await screen.findAllByRole('progressbar');
    expect(bars).toHaveLength(1);
    expect(bars[0]!.getAttribute('aria-valuenow')).toBe('33');
    expect(bars[0]!.getAttribute('aria-valuetext')).toBe('Delete unused blobs, step 2 of 3');
    expect(screen.getByTestId('preview-bytes').textContent).toBe('120 MB');
    expect(screen.getByRole('button', { name: 'Prune 120 MB' })).toHaveProperty('disabled', true);

    await act(async () => {
      api.emit('mirror.operation', null);
      finish({
        planId: PLAN.id,
        previewBytes: 120 * MB,
        freedBytes: 120 * MB,
        orphanBytes: 0,
        gc: { marked: 3, eligibleBlobs: 9, eligibleManifests: 0, ms: 800 },
        downtimeMs: 0,
        collector: { kind: 'sweep' },
        mode: 'proxy',
      });
    });
    expect((await screen.findByTestId('freed-bytes')).textContent).toBe('120 MB');
    expect(screen.getByText('Exactly as previewed (120 MB).')).toBeTruthy();
    expect(screen.getByText('The mirror kept serving throughout; 9 blobs deleted.')).toBeTruthy();
    // The result names what went, against the preview's sizes.
    const removed = screen.getByRole('list', { name: 'What was removed' });
    expect(removed.textContent).toMatch(/library\/nginx.*100 MB.*library\/redis.*60 MB/);
  });

  it('waits for Docker, saying why, instead of offering a prune it cannot run', async () => {
    const api = setup();
    act(() => api.emit('mirror.status', statusIn('engine-unreachable')));
    expect(screen.getByRole('button', { name: 'Preview' })).toHaveProperty('disabled', true);
    expect(screen.getByRole('button', { name: 'Reset Cache…' })).toHaveProperty('disabled', true);
    expect(screen.getByRole('note').textContent).toMatch(/^Docker is not running/);
  });

  it('says what is wrong with the days next to the field, and asks nothing of main', async () => {
    const api = setup();
    fireEvent.change(screen.getByLabelText('Not pulled for'), { target: { value: 'soon' } });
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    const field = screen.getByLabelText('Not pulled for');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    const message = document.getElementById(field.getAttribute('aria-describedby')!.split(' ')[0]!);
    expect(message?.textContent).toBe('Enter a whole number of days, like 30.');
    expect(api.calls.some((c) => c.name === 'cache.plan')).toBe(false);
  });

  it('keeps the preview while the same selection comes back as a new set (the report refreshed)', async () => {
    const api = setup(new Set(['library/nginx']));
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    await screen.findByTestId('preview-bytes');
    api.rerender(new Set(['library/nginx']));
    expect(screen.getByTestId('preview-bytes').textContent).toBe('120 MB');
    api.rerender(new Set(['library/redis']));
    expect(screen.queryByTestId('preview-bytes')).toBeNull();
  });

  it('starts from the repositories selected in the list, and shows main’s refusal as it is', async () => {
    const api = setup(new Set(['library/nginx', 'library/redis:7']));
    expect(screen.getByText('1 repository and 1 tag chosen in Repositories.')).toBeTruthy();
    api.answers['cache.plan'] = { code: 'INVALID_INPUT', message: 'not in the cache: library/nginx' };
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/not in the cache: library\/nginx/);
    expect(api.calls.find((c) => c.name === 'cache.plan')?.input).toEqual({
      selection: { kind: 'items', items: [{ repo: 'library/nginx' }, { repo: 'library/redis', tag: '7' }] },
    });
  });
});
