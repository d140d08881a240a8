// @vitest-environment happy-dom
// The header's mode line: offline mode shows in one line with what the mirror serves, and goes away
// when the mirror is back in proxy mode (both told by mirror.status events).
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { MirrorStatus } from '../../app/mirror/status.js';
import { statusIn } from '../../main/testing/status.js';
import { fakeApi, Providers, report } from '../testing.js';
import { Header } from './Header.js';

const container = {
  id: 'c1',
  name: 'docker-registry-proxy-cache',
  image: 'registry:2',
  running: true,
  restartCount: 0,
  exitCode: 0,
  startedAt: '2025-01-01T00:00:00.000Z',
  configCurrent: true,
};

function setup(status: MirrorStatus) {
  const api = fakeApi({
    'mirror.status': status,
    'upstream.status': { url: 'https://registry-1.docker.io', reachable: false, ms: 1, checkedAt: '' },
    'cache.report': report([]),
    'settings.get': { version: 2, mirror: {} as never, app: { quotaBytes: null } as never },
    'notices.list': [],
  });
  render(
    <Providers api={api}>
      <Header onError={() => {}} />
    </Providers>,
  );
  return api;
}

afterEach(cleanup);

describe('Header', () => {
  it('shows offline mode in one line, with why in its title, until the mirror proxies again', async () => {
    const offline = statusIn('running', {
      container,
      mode: 'offline',
      cachedRepositories: 3,
      message: 'offline: serving 3 cached repositories (upstream: ECONNREFUSED)',
    });
    const api = setup(offline);
    const line = await screen.findByLabelText('Mode');
    expect(line.textContent).toBe('Offline: serving 3 cached repositories');
    expect(line.title).toMatch(/upstream: ECONNREFUSED/);
    expect(screen.getByText('Running').id).toBe('mirror-state');
    act(() => api.emit('mirror.status', statusIn('running', { container, mode: 'proxy' })));
    expect(screen.queryByLabelText('Mode')).toBeNull();
  });

  it('has no mode line in proxy mode', async () => {
    setup(statusIn('running', { container, mode: 'proxy' }));
    expect(await screen.findByText('Running')).toBeTruthy();
    expect(screen.queryByLabelText('Mode')).toBeNull();
  });
});
