// @vitest-environment happy-dom
// The header shows what is live: the address the container serves (not a saved one not yet applied),
// a distinct "changed, not applied" line whose Apply reports its outcome right there (a port in use as
// the CLI says it, with the free port as the fix and the raw text behind Details), and the one offline
// indicator in words a user knows, gone when the upstream answers again.
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { MirrorStatus } from '../../app/mirror/status.js';
import { statusIn } from '../../main/testing/status.js';
import { fakeApi, Providers, report, repo, type Answers } from '../testing.js';
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
  hostPort: 5000,
};
const hub = (reachable: boolean) => ({
  url: 'https://registry-1.docker.io',
  reachable,
  ...(reachable ? {} : { reason: 'connect ECONNREFUSED 10.1.2.3:443' }),
  ms: 1,
  checkedAt: '',
});

function setup(status: MirrorStatus, answers: Answers = {}) {
  const api = fakeApi({
    'mirror.status': status,
    'upstream.status': hub(true),
    'cache.report': report([]),
    'settings.get': { version: 3, mirror: {} as never, app: { quotaBytes: null } as never },
    'notices.list': [],
    ...answers,
  });
  render(
    <Providers api={api}>
      <Header />
    </Providers>,
  );
  return api;
}

afterEach(cleanup);

describe('Header', () => {
  it('shows the address the mirror serves, and saved settings as "changed, not applied" with Apply', async () => {
    const portError = {
      code: 'PORT_IN_USE' as const,
      message: 'port 5002 on 127.0.0.1 is already in use by docker-proxy; port 5003 is free',
      details: { port: 5002, heldBy: 'docker-proxy', suggestion: 5003 },
    };
    const api = setup(
      statusIn('running', {
        mirrorUrl: 'http://localhost:5002',
        container: { ...container, configCurrent: false },
      }),
      { 'mirror.up': portError },
    );
    expect((await screen.findByLabelText('Mirror address')).textContent).toBe('http://localhost:5000');
    expect(screen.getByRole('button', { name: 'Copy the mirror address' })).toBeTruthy();
    const pending = screen.getByTestId('not-applied');
    expect(pending.textContent).toMatch(/^Changed, not applied: will serve at http:\/\/localhost:5002/);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Apply' })));
    expect(api.calls.some((c) => c.name === 'mirror.up')).toBe(true);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Port 5002 is in use by docker-proxy; port 5003 is free');
    expect(alert.querySelector('details')?.textContent).toContain('already in use by docker-proxy');
    expect(screen.getByRole('button', { name: 'Use Port 5003' })).toBeTruthy();
    // Applied elsewhere: the live address moves, "not applied" and the error go.
    act(() =>
      api.emit(
        'mirror.status',
        statusIn('running', {
          mirrorUrl: 'http://localhost:5003',
          container: { ...container, hostPort: 5003 },
        }),
      ),
    );
    expect(screen.getByLabelText('Mirror address').textContent).toBe('http://localhost:5003');
    expect(screen.queryByTestId('not-applied')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says offline once, in plain words, with no raw socket error, until the upstream answers', async () => {
    const offline = statusIn('running', { container, mode: 'offline', cachedRepositories: 1 });
    const api = setup(offline, {
      'upstream.status': hub(false),
      'cache.report': report([repo('library/busybox', 1000)]),
    });
    const line = await screen.findByTestId('offline');
    expect(line.textContent).toBe('Docker Hub unreachable: serving 1 cached image');
    expect(line.title).toBe(
      'Images pulled before keep working; new ones pull once Docker Hub is back (it refused the connection).',
    );
    expect(document.body.textContent).not.toMatch(/ECONNREFUSED|offline/i);
    act(() => {
      api.emit('upstream.status', hub(true));
      api.emit('mirror.status', statusIn('running', { container, mode: 'proxy' }));
    });
    expect(screen.queryByTestId('offline')).toBeNull();
    expect(screen.getByLabelText('Health').textContent).toContain('Docker Hub reachable');
  });
});
