import { describe, expect, it } from 'vitest';
import { NOW, repo } from '../testing.js';
import { filterRepositories, pruneItems, pruneSelection, sortRepositories, tagKey } from './repos.js';

const DAY = 86_400_000;
const repos = [
  repo('library/busybox', 600, { lastPull: NOW - 2 * DAY }),
  repo('library/nginx', 9000, {
    lastPull: NOW - 10 * DAY,
    tags: [
      { name: '1.27-alpine', digest: null, lastPull: 0, pulls: 0 },
      { name: 'latest', digest: null, lastPull: 0, pulls: 0 },
    ],
  }),
  repo('org/app-one', 9000, { lastPull: 0 }),
  repo('library/alpine', 3000, { lastPull: NOW }),
];
const names = (rs: { name: string }[]) => rs.map((r) => r.name);

describe('sortRepositories', () => {
  it('by size: largest first, equal sizes by name', () => {
    expect(names(sortRepositories(repos, 'size'))).toEqual([
      'library/nginx',
      'org/app-one',
      'library/alpine',
      'library/busybox',
    ]);
  });

  it('by last pull: most recent first, never pulled last', () => {
    expect(names(sortRepositories(repos, 'lastPull'))).toEqual([
      'library/alpine',
      'library/busybox',
      'library/nginx',
      'org/app-one',
    ]);
  });

  it('by name, without changing the list it was given', () => {
    const before = names(repos);
    expect(names(sortRepositories(repos, 'name'))).toEqual([
      'library/alpine',
      'library/busybox',
      'library/nginx',
      'org/app-one',
    ]);
    expect(names(repos)).toEqual(before);
  });
});

describe('filterRepositories', () => {
  it('matches every word in the name or a tag, ignoring case', () => {
    expect(names(filterRepositories(repos, 'LIBRARY ngin'))).toEqual(['library/nginx']);
    expect(names(filterRepositories(repos, 'alpine'))).toEqual(['library/nginx', 'library/alpine']);
    expect(names(filterRepositories(repos, 'nothing-like-this'))).toEqual([]);
    expect(filterRepositories(repos, '   ')).toHaveLength(4);
  });

  it('reads repo:tag as that tag of that repository', () => {
    expect(names(filterRepositories(repos, 'nginx:1.27'))).toEqual(['library/nginx']);
    expect(names(filterRepositories(repos, 'busybox:1.27'))).toEqual([]);
  });
});

describe('what a selection prunes', () => {
  it('a whole repository makes its chosen tags redundant; tags of others stay tag-level', () => {
    const sel = new Set([
      'library/nginx',
      tagKey('library/nginx', 'latest'),
      tagKey('org/app-one', 'v1'),
      'library/alpine',
    ]);
    expect(pruneItems(sel)).toEqual([
      { repo: 'library/alpine' },
      { repo: 'library/nginx' },
      { repo: 'org/app-one', tag: 'v1' },
    ]);
    expect(pruneItems(new Set())).toEqual([]);
  });

  it('forgets what is no longer cached', () => {
    const sel = new Set([
      'library/gone',
      'library/nginx',
      tagKey('library/nginx', 'latest'),
      tagKey('library/nginx', 'old'),
    ]);
    expect([...pruneSelection(sel, repos)].sort()).toEqual(['library/nginx', 'library/nginx:latest']);
  });
});
