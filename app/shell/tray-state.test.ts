import { describe, expect, it } from 'vitest';
import type { MirrorState, MirrorStatus } from '../mirror/status.js';
import { TRAY_STATES, trayMenuModel, trayView, type MenuModelItem } from './tray-state.js';

function status(state: MirrorState, extra: Partial<MirrorStatus> = {}): MirrorStatus {
  return {
    state,
    message: `the mirror is ${state}`,
    mirrorUrl: 'http://localhost:5000',
    engine: { endpoint: 'unix:///var/run/docker.sock', reachable: state !== 'engine-unreachable' },
    checkedAt: '2025-01-01T00:00:00.000Z',
    ...extra,
  };
}

const action = (items: MenuModelItem[], name: string) =>
  items.find(
    (i): i is Extract<MenuModelItem, { kind: 'action' }> => i.kind === 'action' && i.action === name,
  );

describe('trayView', () => {
  it.each<[MirrorState, string]>([
    ['running', 'running'],
    ['starting', 'starting'],
    ['stopped', 'stopped'],
    ['not-created', 'stopped'],
    ['image-missing', 'stopped'],
    ['port-in-use', 'error'],
    ['unhealthy', 'error'],
    ['crash-looping', 'error'],
    ['engine-unreachable', 'offline'],
  ])('shows %s as %s with its template icon', (mirrorState, trayState) => {
    const v = trayView(status(mirrorState), null);
    expect(v.state).toBe(trayState);
    expect(v.icon).toBe(`tray-${trayState}Template`);
    expect(v.tooltip).toContain(`the mirror is ${mirrorState}`);
  });

  it('uses all five icons, one per tray state', () => {
    const states: MirrorState[] = ['running', 'starting', 'stopped', 'port-in-use', 'engine-unreachable'];
    const icons = new Set(states.map((s) => trayView(status(s), null).icon));
    expect(icons).toEqual(new Set(TRAY_STATES.map((t) => `tray-${t}Template`)));
  });

  it('says it is checking before the first status', () => {
    expect(trayView(undefined, null)).toMatchObject({ state: 'starting', title: 'Checking…' });
  });

  it('shows a running operation over the last status', () => {
    expect(trayView(status('stopped'), 'up')).toMatchObject({ state: 'starting', title: 'Starting…' });
    expect(trayView(status('running'), 'down')).toMatchObject({ state: 'starting', title: 'Stopping…' });
    expect(trayView(status('running'), 'verify')).toMatchObject({ state: 'running', title: 'Verifying…' });
  });

  it('puts the mirror address in the tooltip only while running', () => {
    expect(trayView(status('running'), null).tooltip).toContain('registry mirror: http://localhost:5000');
    expect(trayView(status('stopped'), null).tooltip).not.toContain('registry mirror:');
  });
});

describe('trayMenuModel', () => {
  const base = { operation: null, openAtLogin: false, quitStopsMirror: false } as const;

  it('offers Start when the mirror is stopped and Stop when it runs', () => {
    expect(action(trayMenuModel({ ...base, status: status('stopped') }), 'start')?.enabled).toBe(true);
    expect(action(trayMenuModel({ ...base, status: status('stopped') }), 'stop')).toBeUndefined();
    expect(action(trayMenuModel({ ...base, status: status('running') }), 'stop')?.enabled).toBe(true);
    expect(action(trayMenuModel({ ...base, status: status('crash-looping') }), 'stop')?.enabled).toBe(true);
  });

  it('disables start/stop and verify while Docker is offline or an operation runs', () => {
    expect(action(trayMenuModel({ ...base, status: status('engine-unreachable') }), 'start')?.enabled).toBe(
      false,
    );
    const busy = trayMenuModel({ ...base, status: status('running'), operation: 'restart' });
    expect(action(busy, 'stop')?.enabled).toBe(false);
    expect(action(busy, 'verify')?.enabled).toBe(false);
  });

  it('enables verify only while running', () => {
    expect(action(trayMenuModel({ ...base, status: status('running') }), 'verify')?.enabled).toBe(true);
    expect(action(trayMenuModel({ ...base, status: status('stopped') }), 'verify')?.enabled).toBe(false);
  });

  it('checks Open at Login as the OS reports it and names what Quit does', () => {
    const m = trayMenuModel({ ...base, status: status('running'), openAtLogin: true, quitStopsMirror: true });
    expect(m).toContainEqual({
      kind: 'checkbox',
      action: 'toggle-login-item',
      label: 'Open at Login',
      checked: true,
    });
    expect(action(m, 'quit')?.label).toBe('Quit and Stop Mirror');
    expect(action(trayMenuModel({ ...base, status: undefined }), 'quit')?.label).toMatch(/keeps running/i);
  });

  it('offers configure Docker and the dashboard in every state', () => {
    for (const s of [undefined, status('engine-unreachable'), status('running')]) {
      const m = trayMenuModel({ ...base, status: s });
      expect(action(m, 'configure-docker')?.enabled).toBe(true);
      expect(action(m, 'open-dashboard')?.enabled).toBe(true);
    }
  });
});
