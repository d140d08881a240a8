// @vitest-environment happy-dom
// The frame: the header's state and switch, keyboard navigation between sections, the view the hash
// names, the problem states with their one-click remedies, and what the keeper did as notices.
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statusIn } from '../main/testing/status.js';
import { App } from './App.js';
import { fakeApi, Providers, report, type Answers } from './testing.js';

const base: Answers = {
  'settings.get': { version: 2, mirror: {} as never, app: { quotaBytes: null } as never },
  'upstream.status': { url: 'https://registry-1.docker.io', reachable: true, ms: 1, checkedAt: '' },
  'notices.list': [],
  'cache.history': [],
  'cache.report': report([]),
  'engines.list': {
    engines: [],
    notes: [],
    hubOnlyNote: 'registry-mirrors applies to Docker Hub images only.',
    machines: {
      available: false,
      registryMachine: 'registry-proxy-cache',
      registryUrl: null,
      newMachineFlags: [],
    },
  },
};

function setup(answers: Answers) {
  const api = fakeApi({ ...base, ...answers });
  render(
    <Providers api={api}>
      <App />
    </Providers>,
  );
  return api;
}

beforeEach(() => history.replaceState(null, '', '#'));
afterEach(cleanup);

describe('App', () => {
  it('starts the mirror from the switch and follows the status events', async () => {
    const api = setup({
      'mirror.status': statusIn('stopped'),
      'mirror.up': { action: 'started', status: statusIn('running') },
    });
    expect((await screen.findByText('Stopped')).id).toBe('mirror-state');
    fireEvent.click(screen.getByRole('switch', { name: 'Start the mirror' }));
    expect(api.calls.some((c) => c.name === 'mirror.up')).toBe(true);
    act(() => api.emit('mirror.operation', 'up'));
    expect(screen.getByRole('switch').getAttribute('aria-checked')).toBe('true');
    expect(screen.getByText('Starting…')).toBeTruthy();
    act(() => {
      api.emit('mirror.operation', null);
      api.emit('mirror.status', statusIn('running'));
    });
    expect(screen.getByRole('switch', { name: 'Stop the mirror' }).getAttribute('aria-checked')).toBe('true');
    expect(document.querySelector('header')?.dataset.state).toBe('running');
  });

  it('moves between sections with the arrow keys, and opens the section the hash names', async () => {
    history.replaceState(null, '', '#configure');
    setup({ 'mirror.status': statusIn('running') });
    expect(screen.getByRole('tab', { name: 'Engines' }).getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(screen.getByRole('tab', { name: 'Engines' }), { key: 'ArrowRight' });
    expect(screen.getByRole('tab', { name: 'Settings' }).getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'Settings' }));
    fireEvent.keyDown(document.activeElement!, { key: 'Home' });
    expect(screen.getByRole('tab', { name: 'Repositories' }).getAttribute('aria-selected')).toBe('true');
    expect(location.hash).toBe('#repositories');
  });

  it('port 5000 taken by AirPlay: says so, and moves the mirror to the free port in one click', async () => {
    const api = setup({
      'mirror.status': statusIn('port-in-use', {
        port: { port: 5000, heldBy: 'ControlCenter', suggestion: 5001 },
      }),
      'settings.update': { version: 2, mirror: { port: 5001 } as never, app: {} as never },
      'mirror.up': { action: 'created', status: statusIn('running') },
    });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/Port 5000 is already in use.*AirPlay Receiver/);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Use Port 5001' })));
    expect(api.calls.filter((c) => c.name === 'settings.update' || c.name === 'mirror.up')).toEqual([
      { name: 'settings.update', input: { mirror: { port: 5001 } } },
      { name: 'mirror.up', input: undefined },
    ]);
  });

  it('Docker not running: the switch is off and disabled, and "Check Again" asks again', async () => {
    const api = setup({ 'mirror.status': statusIn('engine-unreachable') });
    expect((await screen.findByRole('alert')).textContent).toMatch(/^Docker is not running/);
    expect(screen.getByRole('switch')).toHaveProperty('disabled', true);
    const before = api.calls.filter((c) => c.name === 'mirror.status').length;
    api.answers['mirror.status'] = statusIn('running');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Check Again' })));
    expect(api.calls.filter((c) => c.name === 'mirror.status').length).toBe(before + 1);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByText('Running')).toBeTruthy();
  });

  it('the upstream offline: serving from the cache, as a warning rather than an error', async () => {
    setup({
      'mirror.status': statusIn('running'),
      'upstream.status': {
        url: 'https://registry-1.docker.io',
        reachable: false,
        reason: 'ENOTFOUND',
        ms: 3,
        checkedAt: '',
      },
    });
    const warning = await screen.findByText('Docker Hub is offline');
    expect(warning.closest('[role="status"]')?.textContent).toMatch(/Serving from the cache.*\(ENOTFOUND\)/);
    expect(screen.getByText('Docker Hub offline')).toBeTruthy();
  });

  it('tells what the keeper did: offline, back in proxy mode (replacing it), a recovery; each dismissable', async () => {
    const api = setup({ 'mirror.status': statusIn('running') });
    await screen.findByText('Running');
    const at = '2025-03-12T14:02:00.000Z';
    const notice = (title: RegExp) => screen.queryByText(title)?.closest('.callout');
    // A failure is retried by itself and shows as the status's problem, not as a notice.
    act(() => api.emit('mirror.keeper', { kind: 'failed', message: 'port is already allocated', at }));
    expect(document.querySelector('.problems')).toBeNull();

    act(() =>
      api.emit('mirror.keeper', {
        kind: 'mode',
        mode: 'offline',
        previous: 'proxy',
        message: 'offline: serving 2 cached repositories (upstream: ECONNREFUSED)',
        at,
      }),
    );
    const offline = notice(/^Switched to offline mode at \d\d:\d\d$/);
    // Announced politely (role=status), with what it serves now.
    expect(offline?.getAttribute('role')).toBe('status');
    expect(offline?.textContent).toMatch(
      /Offline: serving 2 cached repositories \(upstream: ECONNREFUSED\)\./,
    );

    act(() =>
      api.emit('mirror.keeper', {
        kind: 'recovered',
        action: 'recreated',
        from: 'not-created',
        ms: 640,
        message: "the mirror was removed behind the app's back: recreated in 640 ms",
        at,
      }),
    );
    act(() =>
      api.emit('mirror.keeper', {
        kind: 'mode',
        mode: 'proxy',
        previous: 'offline',
        message: 'online: pulling through from the upstream',
        at,
      }),
    );
    // Back in proxy mode retires "switched to offline mode"; the recovery stays beside it.
    expect(notice(/^Switched to offline mode/)).toBeFalsy();
    expect(notice(/^Back in proxy mode at/)?.textContent).toMatch(/Docker Hub answers again/);
    expect(notice(/^The mirror was brought back at/)?.textContent).toMatch(/removed behind the app's back/);

    fireEvent.click(screen.getByRole('button', { name: /^Dismiss: Back in proxy mode/ }));
    expect(notice(/^Back in proxy mode/)).toBeFalsy();
    expect(notice(/^The mirror was brought back/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: /^Dismiss: The mirror was brought back/ }));
    expect(document.querySelector('.problems')).toBeNull();
    // Only the renderer held them: nothing was asked of main.
    expect(api.calls.some((c) => c.name === 'notices.dismiss')).toBe(false);
  });
});
