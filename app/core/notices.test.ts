import { describe, expect, it } from 'vitest';
import type { Notice } from '../contract/values.js';
import { Notices } from './notices.js';
import { statusIn } from '../../main/testing/status.js';

function setup() {
  const shown: Notice[] = [];
  const sent: Notice[] = [];
  const notices = new Notices({
    notify: (n) => shown.push(n),
    now: () => new Date('2025-03-04T05:06:07.000Z'),
  });
  notices.on('notice', (n) => sent.push(n));
  return { notices, shown, sent };
}

describe('Notices', () => {
  it('notifies when the mirror stops unexpectedly, not when the user stopped it', () => {
    const { notices, shown } = setup();
    notices.observeStatus(statusIn('running'), false);
    notices.observeStatus(statusIn('stopped'), true);
    expect(shown).toEqual([]);
    notices.observeStatus(statusIn('running'), false);
    notices.observeStatus(statusIn('stopped'), false);
    expect(shown.map((n) => [n.kind, n.level, n.title])).toEqual([
      ['mirror-stopped', 'error', 'The mirror stopped unexpectedly'],
    ]);
  });

  it('notifies once when Docker is not running, and retires it when Docker is back', () => {
    const { notices, shown } = setup();
    notices.observeStatus(statusIn('engine-unreachable'), false);
    notices.observeStatus(statusIn('engine-unreachable'), false);
    expect(shown.map((n) => n.kind)).toEqual(['docker-not-running']);
    expect(notices.all().map((n) => n.kind)).toEqual(['docker-not-running']);
    notices.observeStatus(statusIn('stopped'), false);
    expect(notices.all()).toEqual([]);
  });

  it('warns when the cache goes over quota, once per crossing', () => {
    const { notices, shown } = setup();
    notices.reportCacheUsage(3e9, 2e9);
    notices.reportCacheUsage(3.1e9, 2e9);
    notices.reportCacheUsage(1e9, 2e9);
    notices.reportCacheUsage(2.5e9, 2e9);
    expect(shown.map((n) => n.kind)).toEqual(['over-quota', 'over-quota']);
    expect(notices.all()).toHaveLength(1);
  });

  it('lists, replaces by kind, dismisses, and only notifies the OS for warnings and errors', () => {
    const { notices, shown, sent } = setup();
    const a = notices.raise({
      kind: 'settings-reset',
      level: 'warning',
      title: 'Settings were reset',
      message: 'x',
    });
    expect(a).toMatchObject({ id: 'settings-reset-1', at: '2025-03-04T05:06:07.000Z' });
    notices.raise({ kind: 'settings-reset', level: 'warning', title: 'Settings were reset', message: 'y' });
    expect(notices.all().map((n) => n.message)).toEqual(['y']);
    notices.raise({ kind: 'login-item-approval', level: 'info', title: 'Approve', message: 'z' });
    expect(shown).toHaveLength(2);
    expect(sent).toHaveLength(3);
    expect(notices.dismiss('settings-reset-2').map((n) => n.kind)).toEqual(['login-item-approval']);
  });

  it("warns when Docker Hub's allowance runs low, once per crossing, and retires it when it recovers", () => {
    const { notices, shown } = setup();
    const at = (remaining: number, as: 'anonymous' | 'account' = 'anonymous') => ({
      limit: 100,
      remaining,
      windowSeconds: 21_600,
      as,
      checkedAt: '',
    });
    notices.reportAllowance(at(60));
    notices.reportAllowance(undefined);
    expect(shown).toEqual([]);
    notices.reportAllowance(at(10));
    notices.reportAllowance(at(4));
    expect(shown.map((n) => [n.kind, n.level, n.message])).toEqual([
      [
        'allowance-low',
        'warning',
        '10 of 100 pulls left for this network in this 6-hour window. Images already in the cache still pull ' +
          'from it; new ones may be refused until the window moves on. A Docker Hub account (Settings) raises the limit.',
      ],
    ]);
    notices.reportAllowance(undefined); // unknown for a while: nothing resolved
    expect(notices.all().map((n) => n.kind)).toEqual(['allowance-low']);
    notices.reportAllowance(at(100));
    expect(notices.all()).toEqual([]);
    notices.reportAllowance(at(3, 'account'));
    expect(shown.at(-1)?.message).toMatch(
      /^3 of 100 pulls left for your account in this 6-hour window\. [^]*moves on\.$/,
    );
  });

  it('says so when the app applied saved settings by itself (a mode switch recreated the container), not when the user did', () => {
    const { notices, shown, sent } = setup();
    const container = (configCurrent: boolean, hostPort: number, id = hostPort === 5000 ? 'old' : 'new') => ({
      id,
      name: 'drpc-mirror',
      image: 'registry:2',
      running: true,
      restartCount: 0,
      exitCode: 0,
      startedAt: '',
      configCurrent,
      hostPort,
    });
    const pending = statusIn('running', {
      mirrorUrl: 'http://localhost:5001',
      container: container(false, 5000),
    });
    const applied = statusIn('running', {
      mirrorUrl: 'http://localhost:5001',
      mode: 'offline',
      container: container(true, 5001),
    });
    // Settings saved back to what runs: current again, nothing was applied.
    notices.observeStatus(pending, false);
    notices.observeStatus(statusIn('running', { container: container(true, 5000) }), false);
    expect(sent).toEqual([]);
    // The user's own Apply: nothing to tell.
    notices.observeStatus(pending, false);
    notices.observeStatus(applied, true);
    expect(sent).toEqual([]);
    // The keeper's recreation with the saved settings: told once, in the UI only (info).
    notices.observeStatus(pending, false);
    notices.observeStatus(applied, false);
    notices.observeStatus(applied, false);
    expect(sent.map((n) => [n.kind, n.level, n.message])).toEqual([
      [
        'settings-applied',
        'info',
        'The mirror was recreated (to serve offline) with the settings as saved, and serves at http://localhost:5001. ' +
          'It no longer answers on port 5000: engines that list that address need configuring again.',
      ],
    ]);
    expect(shown).toEqual([]);
  });
});
