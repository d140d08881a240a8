import { describe, expect, it } from 'vitest';
import { statusIn } from '../../main/testing/status.js';
import {
  healthSummary,
  isKeeperNotice,
  keeperNoticeView,
  modeLine,
  problemOf,
  shortVersion,
  stateView,
  upstreamName,
} from './status.js';

const upstream = (reachable: boolean) => ({
  url: 'https://registry-1.docker.io',
  reachable,
  ...(reachable ? {} : { reason: 'ENOTFOUND' }),
  ms: 3,
  checkedAt: '',
});

describe('stateView', () => {
  it('puts the state in words, colour and the switch', () => {
    expect(stateView(statusIn('running'), null)).toEqual({
      label: 'Running',
      tone: 'ok',
      on: true,
      canToggle: true,
    });
    expect(stateView(statusIn('stopped'), null)).toMatchObject({
      label: 'Stopped',
      on: false,
      canToggle: true,
    });
    expect(stateView(statusIn('engine-unreachable'), null)).toMatchObject({
      label: 'Docker not running',
      tone: 'error',
      canToggle: false,
    });
    expect(stateView(undefined, null)).toMatchObject({ label: 'Checking…', canToggle: false });
  });

  it('shows a running operation instead, with the switch where it is going', () => {
    expect(stateView(statusIn('stopped'), 'up')).toEqual({
      label: 'Starting…',
      tone: 'busy',
      on: true,
      canToggle: false,
    });
    expect(stateView(statusIn('running'), 'down')).toMatchObject({ label: 'Stopping…', on: false });
    expect(stateView(statusIn('running'), 'prune')).toMatchObject({ label: 'Pruning…', on: true });
  });
});

describe('healthSummary', () => {
  it('says Docker, the upstream and the cache size in one line', () => {
    const s = statusIn('running', { engine: { endpoint: 'x', reachable: true, version: '27.3.1+dfsg1' } });
    expect(healthSummary(s, upstream(true), 1536 * 1024)).toEqual([
      { key: 'docker', text: 'Docker 27.3.1', tone: 'ok' },
      { key: 'upstream', text: 'Docker Hub reachable', tone: 'ok' },
      { key: 'cache', text: '1.5 MB cached', tone: 'idle' },
    ]);
    expect(healthSummary(statusIn('engine-unreachable'), upstream(false), undefined)).toEqual([
      { key: 'docker', text: 'Docker not reachable', tone: 'error' },
      { key: 'upstream', text: 'Docker Hub offline', tone: 'warn' },
    ]);
  });

  it('names other upstreams by host', () => {
    expect(upstreamName('https://mirror.gcr.io')).toBe('mirror.gcr.io');
    expect(upstreamName('nonsense')).toBe('Upstream');
    expect(shortVersion(undefined)).toBe('');
  });
});

describe('modeLine', () => {
  const container = {
    id: 'c1',
    name: 'drpc',
    image: 'registry:2',
    running: true,
    restartCount: 0,
    exitCode: 0,
    startedAt: '',
    configCurrent: true,
  };

  it('says offline and how much it serves, only while it serves without the upstream', () => {
    const offline = (n?: number) =>
      statusIn('running', {
        container,
        mode: 'offline',
        ...(n === undefined ? {} : { cachedRepositories: n }),
      });
    expect(modeLine(offline(3))).toEqual({ text: 'Offline: serving 3 cached repositories', tone: 'warn' });
    expect(modeLine(offline(1))?.text).toBe('Offline: serving 1 cached repository');
    expect(modeLine(offline())?.text).toBe('Offline: serving the cache');
    expect(modeLine(statusIn('running', { container, mode: 'proxy' }))).toBeUndefined();
    expect(
      modeLine(statusIn('stopped', { container: { ...container, running: false }, mode: 'offline' })),
    ).toBeUndefined();
    expect(modeLine(statusIn('running'))).toBeUndefined();
    expect(modeLine(undefined)).toBeUndefined();
  });
});

describe('problemOf', () => {
  it('Docker not running: what to do, and a way to check again', () => {
    expect(problemOf(statusIn('engine-unreachable'), upstream(true))).toMatchObject({
      kind: 'docker',
      title: 'Docker is not running',
      action: { run: 'recheck' },
    });
  });

  it('port 5000 in use on a Mac: AirPlay, and the free port the core suggests', () => {
    const s = statusIn('port-in-use', { port: { port: 5000, heldBy: 'ControlCenter', suggestion: 5001 } });
    const p = problemOf(s, upstream(true));
    expect(p).toMatchObject({
      kind: 'port',
      title: 'Port 5000 is already in use',
      port: 5001,
      action: { label: 'Use Port 5001' },
    });
    expect(p?.body).toMatch(/AirPlay Receiver/);
    const other = problemOf(undefined, undefined, {
      code: 'PORT_IN_USE',
      message: 'port 8080 is in use',
      details: { port: 8080, heldBy: 'nginx' },
    });
    expect(other).toMatchObject({ title: 'Port 8080 is already in use', action: { run: 'settings' } });
    expect(other?.body).toMatch(/^nginx is using it/);
  });

  it('the image that cannot be had, and a crash loop', () => {
    expect(problemOf(statusIn('image-missing'), undefined)).toMatchObject({
      kind: 'image',
      action: { run: 'settings' },
    });
    expect(problemOf(statusIn('crash-looping'), undefined)).toMatchObject({
      kind: 'crash',
      action: { run: 'logs' },
    });
  });

  it('the upstream offline: serving from the cache', () => {
    const p = problemOf(statusIn('running'), upstream(false));
    expect(p).toMatchObject({ kind: 'upstream', tone: 'warn', title: 'Docker Hub is offline' });
    expect(p?.body).toMatch(/^Serving from the cache/);
    expect(problemOf(statusIn('running'), upstream(true))).toBeUndefined();
  });

  it('a full disk: the cache stopped storing, and where to free space', () => {
    expect(problemOf(statusIn('running'), upstream(true), undefined, true)).toMatchObject({
      kind: 'disk-full',
      title: 'The disk is full',
      action: { run: 'prune' },
    });
  });

  it('the last failed action, unless it was only busy', () => {
    expect(problemOf(statusIn('stopped'), undefined, { code: 'INTERNAL', message: 'boom' })).toMatchObject({
      body: 'Boom',
    });
    expect(problemOf(statusIn('stopped'), undefined, { code: 'BUSY', message: 'busy' })).toBeUndefined();
  });
});

describe('keeperNoticeView', () => {
  const at = '2025-03-12T14:02:00.000Z';
  const utc = { timeZone: 'UTC' };
  const hub = 'https://registry-1.docker.io';

  it('says when the mirror went offline, what it serves, and that it comes back by itself', () => {
    const v = keeperNoticeView(
      {
        kind: 'mode',
        mode: 'offline',
        previous: 'proxy',
        message: 'offline: serving 12 cached repositories (upstream: ECONNREFUSED)',
        at,
      },
      hub,
      utc,
    );
    expect(v).toEqual({
      title: 'Switched to offline mode at 14:02',
      body: 'Offline: serving 12 cached repositories (upstream: ECONNREFUSED). It goes back to pulling through once Docker Hub has answered for a while.',
      tone: 'warn',
    });
  });

  it('says when it is back in proxy mode, naming the upstream', () => {
    const back = { kind: 'mode', mode: 'proxy', previous: 'offline', message: 'online: …', at } as const;
    expect(keeperNoticeView(back, hub, utc)).toEqual({
      title: 'Back in proxy mode at 14:02',
      body: 'Docker Hub answers again: images the cache does not hold pull through the mirror again.',
      tone: 'idle',
    });
    expect(keeperNoticeView(back, 'https://mirror.example.com', utc).body).toMatch(
      /^mirror\.example\.com answers/,
    );
    expect(keeperNoticeView(back, undefined, utc).body).toMatch(/^The upstream answers again/);
  });

  it('says the mirror was brought back, and what had happened to it', () => {
    expect(
      keeperNoticeView(
        {
          kind: 'recovered',
          action: 'recreated',
          from: 'not-created',
          ms: 640,
          message: "the mirror was removed behind the app's back: recreated in 640 ms",
          at,
        },
        hub,
        utc,
      ),
    ).toEqual({
      title: 'The mirror was brought back at 14:02',
      body: "The mirror was removed behind the app's back: recreated in 640 ms.",
      tone: 'idle',
    });
  });

  it('leaves failures to the status (they are retried by themselves), and a time it cannot read out', () => {
    expect(isKeeperNotice({ kind: 'failed', message: 'x', at })).toBe(false);
    const v = keeperNoticeView(
      { kind: 'mode', mode: 'proxy', previous: 'offline', message: '', at: 'later' },
      hub,
    );
    expect(v.title).toBe('Back in proxy mode');
  });
});
