// @vitest-environment happy-dom
// The repository list: sorted, filtered, tags on demand with their sizes, a selection to prune, and the
// empty state. happy-dom lays nothing out, so the list is given a height for the virtualiser.
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { statusIn } from '../../main/testing/status.js';
import { fakeApi, NOW, Providers, report, repo } from '../testing.js';
import { RepositoriesView } from './RepositoriesView.js';

const KB = 1000;
const DAY = 86_400_000;
const restore: Array<() => void> = [];
beforeAll(() => {
  for (const [prop, value] of [
    ['clientHeight', 600],
    ['clientWidth', 380],
    ['offsetHeight', 54],
  ] as const) {
    const before = Object.getOwnPropertyDescriptor(HTMLElement.prototype, prop);
    Object.defineProperty(HTMLElement.prototype, prop, { configurable: true, get: () => value });
    restore.push(() => before && Object.defineProperty(HTMLElement.prototype, prop, before));
  }
});
afterAll(() => restore.forEach((r) => r()));
afterEach(cleanup);

const REPOS = [
  repo('library/busybox', 600 * KB, { lastPull: NOW - 2 * DAY }),
  repo('library/app-one', 1400 * KB, {
    lastPull: NOW - DAY,
    tags: [
      { name: 'latest', digest: `sha256:${'b'.repeat(64)}`, lastPull: NOW - DAY, pulls: 3 },
      { name: 'v1', digest: `sha256:${'c'.repeat(64)}`, lastPull: NOW - 5 * DAY, pulls: 1 },
    ],
  }),
  repo('library/twotags', 720 * KB, { lastPull: NOW - 30 * DAY }),
];

function setup(repositories = REPOS) {
  const api = fakeApi({
    'mirror.status': statusIn('running'),
    'settings.get': { version: 3, mirror: {} as never, app: {} as never },
    'upstream.status': { url: 'https://registry-1.docker.io', reachable: true, ms: 1, checkedAt: '' },
    'notices.list': [],
    'cache.history': [],
    'cache.report': report(repositories),
    'cache.tags': (input) => ({
      repository: (input as { repository: string }).repository,
      tags: [
        { name: 'latest', digest: null, bytes: 1300 * KB },
        { name: 'v1', digest: null, bytes: 1100 * KB },
      ],
    }),
  });
  const onSelection = vi.fn();
  const onPrune = vi.fn();
  const onNavigate = vi.fn();
  const view = (selection = new Set<string>()) => (
    <Providers api={api}>
      <RepositoriesView
        selection={selection}
        onSelectionChange={onSelection}
        onPrune={onPrune}
        onNavigate={onNavigate}
        now={NOW}
      />
    </Providers>
  );
  const r = render(view());
  return { api, onSelection, onPrune, onNavigate, rerender: (s: Set<string>) => r.rerender(view(s)) };
}

const rowNames = () =>
  within(screen.getByRole('list', { name: 'Cached repositories' }))
    .getAllByRole('listitem')
    .filter((li) => li.classList.contains('row-wrap'))
    .map((li) => li.querySelector('.row-title')?.getAttribute('title'));

describe('RepositoriesView', () => {
  it('lists every repository largest first with size, reclaimable bytes, tags, last pull and pulls', async () => {
    setup();
    await screen.findByText('app-one');
    expect(rowNames()).toEqual(['library/app-one', 'library/twotags', 'library/busybox']);
    const first = screen.getAllByRole('listitem')[0]!;
    expect(first.textContent).toContain('1.4 MB');
    expect(first.textContent).toContain('700 KB reclaimable');
    expect(first.textContent).toContain('2 tags · pulled yesterday · 1 pull');
    // Docker Hub's official images read as people type them: "library/" is not repeated on every row.
    expect(first.querySelector('.row-title')?.textContent).toBe('app-one');
    expect(first.getAttribute('aria-setsize')).toBe('3');
  });

  it('sorts by last pull and by name', async () => {
    setup();
    await screen.findByText('app-one');
    fireEvent.change(screen.getByLabelText('Sort by'), { target: { value: 'name' } });
    expect(rowNames()).toEqual(['library/app-one', 'library/busybox', 'library/twotags']);
    fireEvent.change(screen.getByLabelText('Sort by'), { target: { value: 'lastPull' } });
    expect(rowNames()).toEqual(['library/app-one', 'library/busybox', 'library/twotags']);
  });

  it('filters as you type and says when nothing matches', async () => {
    setup();
    await screen.findByText('app-one');
    const search = screen.getByRole('searchbox', { name: 'Search repositories and tags' });
    fireEvent.change(search, { target: { value: 'two' } });
    expect(rowNames()).toEqual(['library/twotags']);
    expect(screen.getByText('1 of 3 repositories')).toBeTruthy();
    fireEvent.change(search, { target: { value: 'zzz' } });
    expect(screen.getByText('No repository matches “zzz”')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Clear Search' }));
    expect(rowNames()).toHaveLength(3);
  });

  it('"app-one:v1" lists that tag alone, without opening anything', async () => {
    setup();
    await screen.findByText('app-one');
    const search = screen.getByRole('searchbox', { name: 'Search repositories and tags' });
    fireEvent.change(search, { target: { value: 'app-one:v1' } });
    expect(rowNames()).toEqual(['library/app-one']);
    const tags = await screen.findByRole('list', { name: 'Tags of library/app-one' });
    expect(
      within(tags)
        .getAllByRole('listitem')
        .map((t) => t.querySelector('.tag-name')?.textContent),
    ).toEqual(['v1']);
    expect(screen.getAllByRole('listitem')[0]!.textContent).toContain('1 of 2 tags');
  });

  it('opens a repository’s tags with their sizes, read on demand', async () => {
    const { api } = setup();
    await screen.findByText('app-one');
    const toggle = screen.getByRole('button', { name: 'Show the tags of library/app-one' });
    await act(async () => fireEvent.click(toggle));
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const tags = screen.getByRole('list', { name: 'Tags of library/app-one' });
    expect(
      within(tags)
        .getAllByRole('listitem')
        .map((t) => t.textContent),
    ).toEqual([
      expect.stringMatching(/^latest.*1\.3 MB.*yesterday · 3 pulls$/),
      expect.stringMatching(/^v1.*1\.1 MB.*5 days ago · 1 pull$/),
    ]);
    expect(api.calls.filter((c) => c.name === 'cache.tags')).toEqual([
      { name: 'cache.tags', input: { repository: 'library/app-one' } },
    ]);
  });

  it('selects repositories and tags, and hands the selection to prune', async () => {
    const { onSelection, onPrune, rerender } = setup();
    await screen.findByText('app-one');
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select library/busybox' }));
    expect(onSelection).toHaveBeenLastCalledWith(new Set(['library/busybox']));
    rerender(new Set(['library/busybox']));
    fireEvent.click(screen.getByRole('button', { name: 'Prune Selected…' }));
    expect(onPrune).toHaveBeenCalledOnce();
    expect(screen.getByRole('region', { name: 'Selection' }).textContent).toMatch(/^1 item selected/);
  });

  it('says what to do when nothing is cached yet', async () => {
    const { onNavigate } = setup([]);
    expect(await screen.findByText('Nothing cached yet')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Set Up Docker…' }));
    expect(onNavigate).toHaveBeenCalledWith('engines');
  });
});
