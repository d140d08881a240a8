// Every cached repository: size, reclaimable bytes, tags (expandable, each with its size and last
// pull), last pull and pulls; search, sort, and a multi-selection to prune. The list is virtualised:
// only the rows in view exist, so thousands of repositories stay fast.
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { CacheRepository } from '../../app/cache/report.js';
import type { TagSize } from '../../app/contract/values.js';
import { useApi } from '../api/context.js';
import { useModel } from '../api/model.js';
import { Callout, EmptyState } from '../components/controls.js';
import { Icon } from '../components/icons.js';
import { formatAgo, formatBytes, formatDate, plural, repoName, shortDigest } from '../lib/format.js';
import {
  filterRepositories,
  matchingTags,
  SORT_LABELS,
  sortRepositories,
  tagKey,
  type SortKey,
} from '../lib/repos.js';

const ROW_HEIGHT = 54;
const TAG_HEIGHT = 30;

export interface RepositoriesProps {
  selection: ReadonlySet<string>;
  onSelectionChange: (next: Set<string>) => void;
  onPrune: () => void;
  onNavigate: (view: 'engines') => void;
  now?: number;
}

export function RepositoriesView(props: RepositoriesProps) {
  const { report } = useModel();
  const repos = report.value?.repositories;
  if (!repos) {
    if (report.error) {
      return (
        <div className="view">
          <Callout
            tone="error"
            title="The cache could not be read"
            role="alert"
            action={
              <button type="button" onClick={() => void report.reload()}>
                Try Again
              </button>
            }
          >
            {report.error.message}
          </Callout>
        </div>
      );
    }
    return (
      <div className="view">
        <EmptyState title="Reading the cache…" />
      </div>
    );
  }
  if (!repos.length) {
    return (
      <div className="view">
        <EmptyState
          title="Nothing cached yet"
          action={
            <button type="button" onClick={() => props.onNavigate('engines')}>
              Set Up Docker…
            </button>
          }
        >
          Point Docker at the mirror, then pull an image (for example <code>docker pull busybox</code>). Each
          repository shows up here with its size as soon as it is pulled.
        </EmptyState>
      </div>
    );
  }
  return <RepositoryList {...props} repos={repos} totalBytes={report.value?.totals.blobBytes ?? 0} />;
}

function RepositoryList(props: RepositoriesProps & { repos: CacheRepository[]; totalBytes: number }) {
  const api = useApi();
  const { repos, selection, onSelectionChange, totalBytes } = props;
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<SortKey>('size');
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [tagSizes, setTagSizes] = useState<ReadonlyMap<string, TagSize[] | 'loading' | 'error'>>(new Map());
  const sorted = useMemo(() => sortRepositories(repos, sort), [repos, sort]);
  const rows = useMemo(() => filterRepositories(sorted, query), [sorted, query]);
  // "twotags:v1": the rows show the tags the query names, and only those.
  const onlyTags = useMemo(() => {
    if (!query.includes(':')) return undefined;
    const m = new Map<string, Set<string>>();
    for (const r of rows) {
      const tags = matchingTags(r, query);
      if (tags) m.set(r.name, tags);
    }
    return m;
  }, [rows, query]);
  const totalTags = useMemo(() => repos.reduce((n, r) => n + r.tags.length, 0), [repos]);
  const now = props.now ?? Date.now();

  // After the cache changed, the open repositories' tag sizes are read again (the old ones stay until then).
  const expandedRef = useRef(expanded);
  expandedRef.current = expanded;
  const firstRepos = useRef(repos);
  useEffect(() => {
    if (firstRepos.current === repos) return;
    const live = new Set(repos.map((r) => r.name));
    for (const name of expandedRef.current) {
      if (!live.has(name)) continue;
      void api.call('cache.tags', { repository: name }).then((r) => {
        if (r.ok) setTagSizes((m) => new Map(m).set(name, r.value.tags));
      });
    }
  }, [api, repos]);

  const parentRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => parentRef.current,
    estimateSize: (i) => {
      const r = rows[i]!;
      const only = onlyTags?.get(r.name);
      if (only) return ROW_HEIGHT + TAG_HEIGHT * only.size + 8;
      return expanded.has(r.name) ? ROW_HEIGHT + TAG_HEIGHT * r.tags.length + 8 : ROW_HEIGHT;
    },
    getItemKey: (i) => rows[i]!.name,
    overscan: 6,
  });

  const toggleExpanded = useCallback(
    (name: string) => {
      setExpanded((prev) => {
        const next = new Set(prev);
        if (next.has(name)) next.delete(name);
        else next.add(name);
        return next;
      });
      if (!tagSizes.has(name)) {
        setTagSizes((m) => new Map(m).set(name, 'loading'));
        void api.call('cache.tags', { repository: name }).then((r) => {
          setTagSizes((m) => new Map(m).set(name, r.ok ? r.value.tags : 'error'));
        });
      }
    },
    [api, tagSizes],
  );

  // Tags a query shows get their sizes like opened ones (the first rows only: a query may match many).
  useEffect(() => {
    if (!onlyTags) return;
    for (const name of [...onlyTags.keys()].slice(0, 20)) {
      if (tagSizes.has(name)) continue;
      setTagSizes((m) => new Map(m).set(name, 'loading'));
      void api.call('cache.tags', { repository: name }).then((r) => {
        setTagSizes((m) => new Map(m).set(name, r.ok ? r.value.tags : 'error'));
      });
    }
  }, [api, onlyTags, tagSizes]);

  const toggleSelected = useCallback(
    (key: string) => {
      const next = new Set(selection);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      onSelectionChange(next);
    },
    [selection, onSelectionChange],
  );

  // Up and down move between rows (the list only holds the rows in view: scroll, then focus).
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const target = e.target as HTMLElement;
    const row = target.closest<HTMLElement>('[data-index]');
    const control = target.dataset.control;
    if (!row || !control) return;
    e.preventDefault();
    const index = Number(row.dataset.index) + (e.key === 'ArrowDown' ? 1 : -1);
    if (index < 0 || index >= rows.length) return;
    virtualizer.scrollToIndex(index, { align: 'auto' });
    requestAnimationFrame(() =>
      parentRef.current
        ?.querySelector<HTMLElement>(`[data-index="${index}"] [data-control="${control}"]`)
        ?.focus(),
    );
  };

  const selectedCount = selection.size;
  return (
    <div className="view repositories">
      <div className="toolbar">
        <div className="search">
          <Icon name="search" size={14} />
          <input
            type="search"
            placeholder="Search repositories and tags"
            aria-label="Search repositories and tags"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
        </div>
        <label className="sort">
          <span className="visually-hidden">Sort by</span>
          <select value={sort} onChange={(e) => setSort(e.target.value as SortKey)} aria-label="Sort by">
            {(Object.keys(SORT_LABELS) as SortKey[]).map((k) => (
              <option key={k} value={k}>
                {SORT_LABELS[k]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="list-summary" aria-live="polite">
        {rows.length === repos.length
          ? `${plural(repos.length, 'repository', 'repositories')} · ${plural(totalTags, 'tag')} · ${formatBytes(totalBytes)}`
          : `${rows.length.toLocaleString('en-US')} of ${plural(repos.length, 'repository', 'repositories')}`}
      </div>
      {rows.length === 0 ? (
        <EmptyState
          title={`No repository matches “${query}”`}
          action={
            <button type="button" onClick={() => setQuery('')}>
              Clear Search
            </button>
          }
        />
      ) : (
        <div
          ref={parentRef}
          className="list"
          role="list"
          aria-label="Cached repositories"
          onKeyDown={onKeyDown}
          data-testid="repository-list"
        >
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => {
              const repo = rows[item.index]!;
              return (
                <div
                  key={item.key}
                  data-index={item.index}
                  ref={virtualizer.measureElement}
                  className="row-wrap"
                  style={{ transform: `translateY(${item.start}px)` }}
                  role="listitem"
                  aria-setsize={rows.length}
                  aria-posinset={item.index + 1}
                >
                  <RepositoryRow
                    repo={repo}
                    now={now}
                    expanded={expanded.has(repo.name)}
                    onlyTags={onlyTags?.get(repo.name)}
                    selection={selection}
                    tags={tagSizes.get(repo.name)}
                    onToggleExpanded={toggleExpanded}
                    onToggleSelected={toggleSelected}
                  />
                </div>
              );
            })}
          </div>
        </div>
      )}
      {selectedCount > 0 ? (
        <div className="selection-bar" role="region" aria-label="Selection">
          <span>{plural(selectedCount, 'item')} selected</span>
          <span className="spacer" />
          <button type="button" onClick={() => onSelectionChange(new Set())}>
            Clear
          </button>
          <button type="button" className="primary destructive" onClick={props.onPrune}>
            Prune Selected…
          </button>
        </div>
      ) : null}
    </div>
  );
}

const RepositoryRow = memo(function RepositoryRow(props: {
  repo: CacheRepository;
  now: number;
  expanded: boolean;
  /** the tags a "repo:tag" search names: shown, and only they */
  onlyTags?: ReadonlySet<string> | undefined;
  selection: ReadonlySet<string>;
  tags: TagSize[] | 'loading' | 'error' | undefined;
  onToggleExpanded: (name: string) => void;
  onToggleSelected: (key: string) => void;
}) {
  const { repo, now, selection, onlyTags } = props;
  const expanded = props.expanded || !!onlyTags;
  const shownTags = onlyTags ? repo.tags.filter((t) => onlyTags.has(t.name)) : repo.tags;
  const tagsId = `tags-${repo.name.replace(/[^a-z0-9]/gi, '-')}`;
  const sizes = Array.isArray(props.tags) ? new Map(props.tags.map((t) => [t.name, t])) : undefined;
  const selected = selection.has(repo.name);
  return (
    <div className={`row${selected ? ' selected' : ''}`}>
      <div className="row-main">
        <input
          type="checkbox"
          data-control="select"
          checked={selected}
          onChange={() => props.onToggleSelected(repo.name)}
          aria-label={`Select ${repo.name}`}
        />
        <button
          type="button"
          className={`disclosure${expanded ? ' open' : ''}`}
          data-control="expand"
          aria-expanded={expanded}
          aria-controls={tagsId}
          aria-label={`${expanded ? 'Hide' : 'Show'} the tags of ${repo.name}`}
          onClick={() => props.onToggleExpanded(repo.name)}
        >
          <Icon name="chevron" size={12} />
        </button>
        <div className="row-text">
          <div className="row-title" title={repo.name}>
            {repoName(repo.name)}
          </div>
          <div className="row-meta">
            {onlyTags
              ? `${onlyTags.size} of ${plural(repo.tags.length, 'tag')}`
              : plural(repo.tags.length, 'tag')}
            <span className="sep"> · </span>
            <span title={formatDate(repo.lastPull)}>
              {repo.lastPull ? `pulled ${formatAgo(repo.lastPull, now)}` : 'never pulled'}
            </span>
            {repo.pulls ? (
              <>
                <span className="sep"> · </span>
                {plural(repo.pulls, 'pull')}
              </>
            ) : null}
          </div>
        </div>
        <div className="row-size">
          <div className="size">{formatBytes(repo.totalBytes)}</div>
          <div className="reclaimable" title="What pruning this repository alone frees">
            {formatBytes(repo.exclusiveBytes)} reclaimable
          </div>
        </div>
      </div>
      {expanded ? (
        <ul className="tags" id={tagsId} aria-label={`Tags of ${repo.name}`}>
          {shownTags.map((t) => {
            const key = tagKey(repo.name, t.name);
            const size = sizes?.get(t.name);
            return (
              <li key={t.name} className="tag">
                <input
                  type="checkbox"
                  checked={selected || selection.has(key)}
                  disabled={selected}
                  onChange={() => props.onToggleSelected(key)}
                  aria-label={`Select ${repo.name}:${t.name}`}
                />
                <span className="tag-name" title={t.digest ?? undefined}>
                  {t.name}
                </span>
                <span className="tag-digest">{shortDigest(t.digest)}</span>
                <span className="tag-size">
                  {size ? formatBytes(size.bytes) : props.tags === 'error' ? '—' : '…'}
                </span>
                <span className="tag-pull" title={formatDate(t.lastPull)}>
                  {t.lastPull ? formatAgo(t.lastPull, now) : 'never'}
                  {t.pulls ? ` · ${plural(t.pulls, 'pull')}` : ''}
                </span>
              </li>
            );
          })}
        </ul>
      ) : null}
    </div>
  );
});
