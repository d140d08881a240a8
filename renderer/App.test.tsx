// @vitest-environment happy-dom
// The frame: the header's state and switch, keyboard navigation between sections, the view the hash
// names, the problem states with their one-click remedies, and what the keeper did as notices.
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statusIn } from '../main/testing/status.js';
import { App } from './App.js';
import { fakeApi, Providers, report, type Answers } from './testing.js';

const base: Answers = {
  'settings.get': { version: 3, mirror: {} as never, app: { quotaBytes: null } as never },
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

  it('port 5000 taken by AirPlay: says so as the CLI does, and moves the mirror to the free port in one click', async () => {
    const api = setup({
      'mirror.status': statusIn('port-in-use', {
        port: { port: 5000, heldBy: 'ControlCenter', suggestion: 5001 },
      }),
      'settings.update': { version: 3, mirror: { port: 5001 } as never, app: {} as never },
      'mirror.up': { action: 'created', status: statusIn('running', { mirrorUrl: 'http://localhost:5001' }) },
    });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(
      /Port 5000 is in use by ControlCenter; port 5001 is free.*AirPlay Receiver/,
    );
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Use Port 5001' })));
    expect(api.calls.filter((c) => c.name === 'settings.update' || c.name === 'mirror.up')).toEqual([
      { name: 'settings.update', input: { mirror: { port: 5001 } } },
      { name: 'mirror.up', input: undefined },
    ]);
    // The outcome shows where the user acted.
    expect(screen.getByText(/Applied: the mirror serves at http:\/\/localhost:5001/)).toBeTruthy();
    act(() => api.emit('mirror.status', statusIn('running')));
    expect(screen.queryByRole('alert')).toBeNull();
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

  it('stale notices go with their condition: "Docker is not running" and "stopped unexpectedly" once it serves', async () => {
    const notice = (kind: 'docker-not-running' | 'mirror-stopped', title: string) => ({
      id: `${kind}-1`,
      kind,
      level: 'warning' as const,
      title,
      message: 'x',
      at: '2025-01-01T00:00:00.000Z',
    });
    const api = setup({
      'mirror.status': statusIn('stopped'),
      'notices.list': [
        notice('docker-not-running', 'Docker is not running'),
        notice('mirror-stopped', 'The mirror stopped unexpectedly'),
      ],
    });
    await screen.findByText('The mirror stopped unexpectedly');
    // Docker answers: its notice goes even while main's list still holds it.
    expect(screen.queryByText('Docker is not running')).toBeNull();
    act(() => api.emit('mirror.status', statusIn('running')));
    expect(screen.queryByText('The mirror stopped unexpectedly')).toBeNull();
    expect(document.querySelector('.problems')).toBeNull();
  });

  it('the upstream offline: said once, in the header, not as a callout too', async () => {
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
    const line = await screen.findByTestId('offline');
    expect(line.textContent).toBe('Docker Hub unreachable: serving 0 cached images');
    expect(document.querySelector('.problems')).toBeNull();
    expect(document.body.textContent?.match(/unreachable/g)).toHaveLength(1);
    expect(document.body.textContent).not.toContain('ENOTFOUND');
  });

  it('tells a recovery the keeper made, dismissable; never a mode switch twice', async () => {
    const api = setup({ 'mirror.status': statusIn('running') });
    await screen.findByText('Running');
    const at = '2025-03-12T14:02:00.000Z';
    const notice = (title: RegExp) => screen.queryByText(title)?.closest('.callout');
    // A failure is retried by itself and shows as the status's problem, not as a notice.
    act(() => api.emit('mirror.keeper', { kind: 'failed', message: 'port is already allocated', at }));
    // A mode switch is the header's offline indicator, not a notice as well.
    act(() =>
      api.emit('mirror.keeper', { kind: 'mode', mode: 'offline', previous: 'proxy', message: 'x', at }),
    );
    expect(document.querySelector('.problems')).toBeNull();
    const recovered = {
      kind: 'recovered' as const,
      action: 'started' as const,
      from: 'stopped' as const,
      ms: 1545,
      message: "the mirror was stopped behind the app's back: started again in 1545 ms",
      at,
    };
    act(() => api.emit('mirror.keeper', { ...recovered, action: 'recreated', from: 'not-created', ms: 640 }));
    expect(notice(/^The mirror was brought back at/)?.textContent).toMatch(
      /Its container had been removed outside the app; it was created again in 640 ms/,
    );
    fireEvent.click(screen.getByRole('button', { name: /^Dismiss: The mirror was brought back/ }));
    expect(document.querySelector('.problems')).toBeNull();
    // Only the renderer held them: nothing was asked of main.
    expect(api.calls.some((c) => c.name === 'notices.dismiss')).toBe(false);
  });
});
