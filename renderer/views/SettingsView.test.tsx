// @vitest-environment happy-dom
// The Settings view's "Bring the mirror back if it is removed": it shows the mirror setting autoRecreate
// (absent means on), saves a change through settings.update as { mirror: { autoRecreate } } and nothing
// else, follows settings saved elsewhere, and shows the core's refusal next to it.
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppSettings, SettingsChange } from '../../app/settings/app-settings.js';
import { statusIn } from '../../main/testing/status.js';
import { fakeApi, Providers, report } from '../testing.js';
import { SettingsView } from './SettingsView.js';

const LABEL = 'Bring the mirror back if it is removed';

function settings(mirror: Partial<AppSettings['mirror']> = {}): AppSettings {
  return {
    version: 3,
    mirror: {
      port: 5000,
      bindAddress: '127.0.0.1',
      upstreamUrl: 'https://registry-1.docker.io',
      image: 'registry:2',
      dataDir: '/Users/me/Library/Application Support/docker-registry-proxy-cache/mirror',
      containerName: 'docker-registry-proxy-cache',
      network: null,
      restartPolicy: 'unless-stopped',
      ...mirror,
    },
    app: {
      startAtLogin: false,
      startMirrorOnLaunch: false,
      quotaBytes: null,
      enginesConfigured: [],
      quitStopsMirror: false,
    },
  };
}

/** settings.update as main answers it: the change applied to what is saved. */
function setup(saved: AppSettings, update?: (change: SettingsChange) => AppSettings | object) {
  let current = saved;
  const api = fakeApi({
    'mirror.status': statusIn('running'),
    'settings.get': () => current,
    'upstream.status': { url: 'https://registry-1.docker.io', reachable: true, ms: 1, checkedAt: '' },
    'notices.list': [],
    'cache.history': [],
    'cache.report': report([]),
    'credentials.get': { configured: false, username: null },
    'app.loginItem.get': { openAtLogin: false, status: 'not-registered', message: '' },
    'settings.update': (input) => {
      const change = input as SettingsChange;
      if (update) return update(change) as AppSettings;
      current = { ...current, mirror: { ...current.mirror, ...change.mirror } };
      return current;
    },
  });
  render(
    <Providers api={api}>
      <SettingsView />
    </Providers>,
  );
  return api;
}

const box = () => screen.findByRole('checkbox', { name: LABEL }) as Promise<HTMLInputElement>;
const updates = (api: ReturnType<typeof setup>) =>
  api.calls.filter((c) => c.name === 'settings.update').map((c) => c.input);

afterEach(cleanup);

describe('SettingsView: bringing a removed mirror back', () => {
  it('is on when the setting is absent (older settings files), with what it does in its description', async () => {
    setup(settings());
    const checkbox = await box();
    expect(checkbox.checked).toBe(true);
    const hint = document.getElementById(checkbox.getAttribute('aria-describedby')!);
    expect(hint?.textContent).toMatch(/deleted behind the app's back.*creates it again.*cache on disk stays/);
  });

  it('turned off and saved: settings.update gets { mirror: { autoRecreate: false } } and nothing else', async () => {
    const api = setup(settings({ autoRecreate: true }));
    const checkbox = await box();
    const save = screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    fireEvent.click(checkbox);
    expect((await box()).checked).toBe(false);
    expect(save.disabled).toBe(false);
    fireEvent.click(save);
    expect(await screen.findByText('Saved.')).toBeTruthy();
    expect(updates(api)).toEqual([{ mirror: { autoRecreate: false } }]);
  });

  it('turned back on from off: saves true', async () => {
    const api = setup(settings({ autoRecreate: false }));
    const checkbox = await box();
    expect(checkbox.checked).toBe(false);
    fireEvent.click(checkbox);
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Saved.');
    expect(updates(api)).toEqual([{ mirror: { autoRecreate: true } }]);
  });

  it('follows the setting when it is saved elsewhere (the CLI, another window)', async () => {
    const api = setup(settings());
    expect((await box()).checked).toBe(true);
    act(() => api.emit('settings.changed', settings({ autoRecreate: false })));
    expect((await box()).checked).toBe(false);
  });

  it('keeps an unsaved change when the same settings arrive again, and starts over when they changed', async () => {
    const api = setup(settings());
    fireEvent.click(await box());
    expect((await box()).checked).toBe(false);
    act(() => api.emit('settings.changed', settings()));
    expect((await box()).checked).toBe(false);
    expect((screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement).disabled).toBe(false);
    act(() => api.emit('settings.changed', settings({ port: 5001 })));
    expect((await box()).checked).toBe(true);
  });

  it("shows the core's refusal next to the checkbox", async () => {
    setup(settings(), () => ({
      code: 'INVALID_INPUT',
      message: 'mirror.autoRecreate: expected boolean',
      issues: [{ path: 'mirror.autoRecreate', message: 'expected boolean' }],
    }));
    fireEvent.click(await box());
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Expected boolean.');
    expect((await box()).getAttribute('aria-invalid')).toBe('true');
  });
});

describe('SettingsView: errors where the user acted', () => {
  it('Save with errors: every error at once, and focus moves to the first invalid field', async () => {
    setup(settings());
    const port = (await screen.findByLabelText('Port')) as HTMLInputElement;
    fireEvent.change(port, { target: { value: 'http' } });
    fireEvent.change(screen.getByLabelText('Quota'), { target: { value: 'lots' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Save' })));
    expect(document.activeElement).toBe(port);
    expect(port.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByLabelText('Quota').getAttribute('aria-invalid')).toBe('true');
  });

  it('Apply with a port in use: the error in words next to Apply, the raw text behind Details', async () => {
    const api = setup(settings());
    await screen.findByLabelText('Port');
    api.answers['mirror.status'] = statusIn('running', {
      container: {
        id: 'c1',
        name: 'docker-registry-proxy-cache',
        image: 'registry:2',
        running: true,
        restartCount: 0,
        exitCode: 0,
        startedAt: '',
        configCurrent: false,
        hostPort: 5000,
      },
    });
    api.answers['mirror.up'] = {
      code: 'PORT_IN_USE',
      message: 'port 5002 on 127.0.0.1 is already in use by nginx; port 5003 is free',
      details: { port: 5002, heldBy: 'nginx', suggestion: 5003 },
    };
    act(() => api.emit('mirror.status', api.answers['mirror.status'] as never));
    await act(async () =>
      fireEvent.click(await screen.findByRole('button', { name: 'Apply to the Mirror' })),
    );
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toMatch(
      /^Port 5002 is in use by nginx; port 5003 is freeStop nginx, or use port 5003\./,
    );
    expect(alert.querySelector('details summary')?.textContent).toBe('Details');
    expect(screen.getByRole('button', { name: 'Use Port 5003' })).toBeTruthy();
  });
});
