import { describe, expect, it } from 'vitest';
import { statusIn } from '../../main/testing/status.js';
import {
  changedNotApplied,
  explainError,
  healthSummary,
  isKeeperNotice,
  keeperNoticeView,
  liveAddress,
  offlineLine,
  problemOf,
  reasonInWords,
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
    expect(healthSummary(s, upstream(true), 1_500_000)).toEqual([
      { key: 'docker', text: 'Docker 27.3.1', tone: 'ok' },
      { key: 'upstream', text: 'Docker Hub reachable', tone: 'ok' },
      { key: 'cache', text: '1.5 MB cached', tone: 'idle' },
    ]);
    // Unreachable is the offline indicator's to say, once.
    // Docker away is the state label's to say, and unreachable the offline indicator's: said once each.
    expect(healthSummary(statusIn('engine-unreachable'), upstream(false), undefined)).toEqual([]);
  });

  it('names other upstreams by host', () => {
    expect(upstreamName('https://mirror.gcr.io')).toBe('mirror.gcr.io');
    expect(upstreamName('nonsense')).toBe('Upstream');
    expect(shortVersion(undefined)).toBe('');
  });
});

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

describe('offlineLine', () => {
  it('says offline once, in words a user knows, whether the keeper switched or the probe alone failed', () => {
    const offline = statusIn('running', { container, mode: 'offline', cachedRepositories: 3 });
    const down = { ...upstream(false), reason: 'connect ECONNREFUSED 10.0.0.2:443' };
    expect(offlineLine(offline, down, 5)).toEqual({
      text: 'Docker Hub unreachable: serving 5 cached images',
      why: 'Images pulled before keep working; new ones pull once Docker Hub is back (it refused the connection).',
    });
    expect(offlineLine(offline, undefined, undefined)?.text).toBe(
      'The upstream unreachable: serving 3 cached repositories',
    );
    expect(offlineLine(statusIn('running', { container, mode: 'proxy' }), down, 1)?.text).toBe(
      'Docker Hub unreachable: serving 1 cached image',
    );
    expect(offlineLine(statusIn('running', { container, mode: 'proxy' }), upstream(true), 1)).toBeUndefined();
    expect(offlineLine(undefined, undefined, 0)).toBeUndefined();
  });

  it('never shows a raw socket error', () => {
    expect(reasonInWords('connect ECONNREFUSED 127.0.0.1:5000')).toBe('it refused the connection');
    expect(reasonInWords('getaddrinfo ENOTFOUND registry-1.docker.io')).toMatch(/no network/);
    expect(reasonInWords('read EWHATEVER')).toBe('it did not answer');
    expect(reasonInWords('it is stopped')).toBe('it is stopped');
  });
});

describe('what is live', () => {
  it('shows the address the container serves until new settings are applied, and the pending one', () => {
    const applied = statusIn('running', { container: { ...container, hostPort: 5000 } });
    expect(liveAddress(applied)).toEqual({ live: 'http://localhost:5000' });
    expect(changedNotApplied(applied)).toBe(false);
    const saved = statusIn('running', {
      mirrorUrl: 'http://localhost:5002',
      container: { ...container, configCurrent: false, hostPort: 5000 },
    });
    expect(liveAddress(saved)).toEqual({ live: 'http://localhost:5000', pending: 'http://localhost:5002' });
    expect(changedNotApplied(saved)).toBe(true);
    expect(changedNotApplied(statusIn('not-created'))).toBe(false);
  });
});

describe('problemOf', () => {
  it('Docker not running: what to do, and a way to check again', () => {
    expect(problemOf(statusIn('engine-unreachable'))).toMatchObject({
      kind: 'docker',
      title: 'Docker is not running',
      action: { run: 'recheck' },
    });
  });

  it('port 5000 in use on a Mac: AirPlay, and the free port the core suggests', () => {
    const s = statusIn('port-in-use', { port: { port: 5000, heldBy: 'ControlCenter', suggestion: 5001 } });
    const p = problemOf(s);
    expect(p).toMatchObject({
      kind: 'port',
      title: 'Port 5000 is in use by ControlCenter; port 5001 is free',
      port: 5001,
      action: { label: 'Use Port 5001' },
    });
    expect(p?.body).toMatch(/AirPlay Receiver/);
    const other = problemOf(statusIn('port-in-use', { port: { port: 8080, heldBy: 'nginx' } }));
    expect(other).toMatchObject({ title: 'Port 8080 is in use by nginx', action: { run: 'settings' } });
    expect(other?.body).toBe('Stop nginx, or choose another port.');
    // Not "Open Settings" while in Settings.
    expect(problemOf(statusIn('port-in-use', { port: { port: 8080 } }), { view: 'settings' })?.action).toBe(
      undefined,
    );
  });

  it('the image not there yet, and a crash loop', () => {
    expect(problemOf(statusIn('image-missing'))).toMatchObject({ kind: 'image', action: { run: 'start' } });
    expect(problemOf(statusIn('crash-looping'))).toMatchObject({ kind: 'crash', action: { run: 'logs' } });
  });

  it('the upstream offline is no problem callout (the header says it once)', () => {
    expect(problemOf(statusIn('running'))).toBeUndefined();
  });

  it('a full disk: the cache stopped storing, what that does to pulls on each registry, and where to free space', () => {
    const running = (registry: 2 | 3) =>
      statusIn('running', {
        container: {
          id: 'c',
          name: 'm',
          image: `registry:${registry}`,
          running: true,
          restartCount: 0,
          exitCode: 0,
          startedAt: '2025-01-01T00:00:00.000Z',
          configCurrent: true,
          registry,
        },
      });
    expect(problemOf(running(2), { diskFull: true })).toMatchObject({
      kind: 'disk-full',
      title: 'The disk is full',
      body: expect.stringContaining('new images still pull, but straight from upstream'),
      action: { run: 'prune' },
    });
    expect(problemOf(running(3), { diskFull: true })).toMatchObject({
      kind: 'disk-full',
      body: expect.stringContaining('images it has not cached fail to pull until there is space'),
      action: { run: 'prune' },
    });
  });
});

describe('explainError', () => {
  it('a port in use on Apply: as the CLI says it, with the free port as the fix', () => {
    const e = explainError({
      code: 'PORT_IN_USE',
      message: 'port 36001 on 127.0.0.1 is already in use by docker-proxy; port 36002 is free',
      details: { port: 36001, heldBy: 'docker-proxy', suggestion: 36002 },
    });
    expect(e).toEqual({
      title: 'Port 36001 is in use by docker-proxy; port 36002 is free',
      fix: 'Stop docker-proxy, or use port 36002.',
      details: 'port 36001 on 127.0.0.1 is already in use by docker-proxy; port 36002 is free',
      port: 36002,
    });
  });

  it('a missing image: one line and the fix, the registry’s error text behind Details', () => {
    const raw =
      "the registry image nope/registry:9 is not on this engine and could not be pulled: Error response from daemon: pull access denied for nope/registry, repository does not exist or may require 'docker login': denied: requested access to the resource is denied. Connect to the network once, or load the image (docker load), or choose another image in the settings.";
    const e = explainError({
      code: 'IMAGE_UNAVAILABLE',
      message: raw,
      details: { image: 'nope/registry:9' },
    });
    expect(e.title).toBe('The registry image nope/registry:9 could not be pulled');
    expect(e.fix).toMatch(/^Check its name in Settings/);
    expect(e.details).toBe(raw);
  });

  it('anything else: the first clause, the rest behind Details', () => {
    expect(explainError({ code: 'INTERNAL', message: 'boom: ENOENT /x/y' })).toEqual({
      title: 'Boom',
      details: 'boom: ENOENT /x/y',
    });
  });
});

describe('keeperNoticeView', () => {
  const at = '2025-03-12T14:02:00.000Z';
  const utc = { locale: 'en-GB', timeZone: 'UTC' };

  it('says the mirror was brought back, what had happened to it, with durations said one way', () => {
    expect(
      keeperNoticeView(
        {
          kind: 'recovered',
          action: 'started',
          from: 'stopped',
          ms: 1545,
          message: "the mirror was stopped behind the app's back: started again in 1545 ms",
          at,
        },
        utc,
      ),
    ).toEqual({
      title: 'The mirror was brought back at 14:02',
      body: 'It had been stopped outside the app; it was started again in 1.5 s. The cache on disk was kept.',
      tone: 'idle',
    });
  });

  it('leaves failures to the status and mode switches to the offline indicator', () => {
    expect(isKeeperNotice({ kind: 'failed', message: 'x', at })).toBe(false);
    expect(isKeeperNotice({ kind: 'mode', mode: 'offline', previous: 'proxy', message: 'x', at })).toBe(
      false,
    );
    const v = keeperNoticeView(
      { kind: 'recovered', action: 'recreated', from: 'not-created', ms: 640, message: '', at: 'later' },
      utc,
    );
    expect(v.title).toBe('The mirror was brought back');
    expect(v.body).toMatch(/^Its container had been removed outside the app; it was created again in 640 ms/);
  });
});
