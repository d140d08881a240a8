import { describe, expect, it } from 'vitest';
import type { MirrorState, MirrorStatus } from '../mirror/status.js';
import type { Notice } from '../contract/values.js';
import {
  currentNotices,
  quotaNotice,
  resolvedNoticeKinds,
  shouldStartOnLaunch,
  statusNotices,
} from './notices.js';

function status(state: MirrorState): MirrorStatus {
  return {
    state,
    message: `the mirror is ${state}`,
    mirrorUrl: 'http://localhost:5000',
    engine: { endpoint: 'default', reachable: state !== 'engine-unreachable' },
    checkedAt: '2025-01-01T00:00:00.000Z',
  };
}
const kinds = (prev: MirrorState | undefined, next: MirrorState, userInitiated = false) =>
  statusNotices(prev && status(prev), status(next), { userInitiated }).map((n) => n.kind);

describe('statusNotices', () => {
  it('tells when the mirror stops without being asked to', () => {
    expect(kinds('running', 'stopped')).toEqual(['mirror-stopped']);
    expect(kinds('running', 'crash-looping')).toEqual(['mirror-stopped']);
    expect(kinds('starting', 'not-created')).toEqual(['mirror-stopped']);
  });

  it('stays quiet when the user stopped it, or it was never running', () => {
    expect(kinds('running', 'stopped', true)).toEqual([]);
    expect(kinds('stopped', 'stopped')).toEqual([]);
    expect(kinds(undefined, 'stopped')).toEqual([]);
    expect(kinds('stopped', 'running')).toEqual([]);
  });

  it('tells once when Docker goes away, including at launch', () => {
    expect(kinds('running', 'engine-unreachable')).toEqual(['docker-not-running']);
    expect(kinds(undefined, 'engine-unreachable')).toEqual(['docker-not-running']);
    expect(kinds('engine-unreachable', 'engine-unreachable')).toEqual([]);
  });

  it('says what to do about Docker in plain words, without the socket path or the raw error', () => {
    const away = {
      ...status('engine-unreachable'),
      message: 'Docker is not reachable at unix:///var/run/docker.sock (connect ENOENT /var/run/docker.sock)',
    };
    const [notice] = statusNotices(status('running'), away, { userInitiated: false });
    expect(notice?.message).toBe(
      'Start Docker. The mirror comes back when Docker does; what is cached stays on disk.',
    );
  });
});

describe('notices tied to their condition', () => {
  const notice = (kind: Notice['kind']): Notice => ({
    id: `${kind}-1`,
    kind,
    level: 'warning',
    title: kind,
    message: kind,
    at: '2025-01-01T00:00:00.000Z',
  });
  const all = [notice('docker-not-running'), notice('mirror-stopped'), notice('over-quota')];

  it('retires "Docker is not running" once Docker answers, "stopped unexpectedly" once it serves', () => {
    expect(resolvedNoticeKinds(status('running'))).toEqual(['docker-not-running', 'mirror-stopped']);
    expect(resolvedNoticeKinds(status('stopped'))).toEqual(['docker-not-running']);
    expect(resolvedNoticeKinds(status('engine-unreachable'))).toEqual([]);
    expect(currentNotices(all, status('running')).map((n) => n.kind)).toEqual(['over-quota']);
    expect(currentNotices(all, status('engine-unreachable'))).toEqual(all);
    expect(currentNotices(all, undefined)).toEqual(all);
  });
});

describe('quotaNotice', () => {
  const GB = 1_000_000_000;
  it('warns once per crossing of the quota', () => {
    const first = quotaNotice(3 * GB, 2 * GB, false);
    expect(first.over).toBe(true);
    expect(first.notice?.message).toBe('The cache uses 3.0 GB, more than its quota of 2.0 GB.');
    expect(quotaNotice(3.5 * GB, 2 * GB, true)).toEqual({ over: true });
    expect(quotaNotice(GB, 2 * GB, true)).toEqual({ over: false });
  });

  it('never warns without a quota', () => {
    expect(quotaNotice(100 * GB, null, false)).toEqual({ over: false });
  });

  it('says sizes as the rest of the app does (decimal, like Finder)', () => {
    expect(quotaNotice(1_500_000, 1_000_000, false).notice?.message).toBe(
      'The cache uses 1.5 MB, more than its quota of 1.0 MB.',
    );
  });
});

describe('shouldStartOnLaunch', () => {
  it('starts a stopped or missing mirror when asked to', () => {
    for (const s of ['stopped', 'not-created', 'image-missing'] as const) {
      expect(shouldStartOnLaunch(status(s), true)).toBe(true);
      expect(shouldStartOnLaunch(status(s), false)).toBe(false);
    }
  });

  it('leaves alone a running mirror and one that needs a person', () => {
    for (const s of [
      'running',
      'starting',
      'crash-looping',
      'unhealthy',
      'port-in-use',
      'engine-unreachable',
    ] as const) {
      expect(shouldStartOnLaunch(status(s), true)).toBe(false);
    }
  });
});
