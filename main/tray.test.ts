import type { MenuItemConstructorOptions, Rectangle } from 'electron';
import { describe, expect, it, vi, type Mock } from 'vitest';
import type { TrayAction } from '../app/shell/tray-state.js';
import { statusIn } from './testing/status.js';
import { TrayController, type TrayPort } from './tray.js';

class FakeTray implements TrayPort<string, MenuItemConstructorOptions[]> {
  calls: string[] = [];
  image = '';
  title = '';
  tooltip = '';
  popped: MenuItemConstructorOptions[][] = [];
  ignoreDoubleClick = false;
  setIgnoreDoubleClickEvents(ignore: boolean) {
    this.ignoreDoubleClick = ignore;
  }
  private listeners = new Map<string, () => void>();
  setImage(image: string) {
    this.calls.push('image');
    this.image = image;
  }
  setTitle(title: string) {
    this.calls.push('title');
    this.title = title;
  }
  setToolTip(tip: string) {
    this.calls.push('tooltip');
    this.tooltip = tip;
  }
  getBounds(): Rectangle {
    return { x: 1000, y: 0, width: 24, height: 24 };
  }
  popUpContextMenu(menu?: MenuItemConstructorOptions[]) {
    if (menu) this.popped.push(menu);
  }
  on(event: 'click' | 'right-click', listener: () => void) {
    this.listeners.set(event, listener);
  }
  emit(event: 'click' | 'right-click') {
    this.listeners.get(event)?.();
  }
}

function setup() {
  const tray = new FakeTray();
  const actions = Object.fromEntries(
    (
      ['start', 'stop', 'verify', 'configure-docker', 'open-dashboard', 'toggle-login-item', 'quit'] as const
    ).map((a) => [a, vi.fn<() => void>()]),
  ) as Record<TrayAction, Mock<() => void>>;
  const onClick = vi.fn();
  const controller = new TrayController({
    tray,
    icon: (name) => `assets/${name}.png`,
    buildMenu: (template) => template,
    actions,
    onClick,
  });
  return { tray, actions, onClick, controller };
}

describe('TrayController', () => {
  it('asks for every click, so two quick clicks open and close the popover', () => {
    const { tray } = setup();
    expect(tray.ignoreDoubleClick).toBe(true);
  });

  it('starts in "checking" until the first status arrives', () => {
    const { tray } = setup();
    expect(tray.image).toBe('assets/tray-startingTemplate.png');
    expect(tray.title).toBe('Checking…');
  });

  it('changes icon, title and tooltip on each status event', () => {
    const { tray, controller } = setup();
    const seen: [string, string][] = [];
    for (const state of ['running', 'stopped', 'crash-looping', 'engine-unreachable', 'starting'] as const) {
      controller.update({ status: statusIn(state) });
      seen.push([tray.image, tray.title]);
      expect(tray.tooltip).toContain(`the mirror is ${state}`);
    }
    expect(seen).toEqual([
      ['assets/tray-runningTemplate.png', 'Running'],
      ['assets/tray-stoppedTemplate.png', 'Stopped'],
      ['assets/tray-errorTemplate.png', 'Error'],
      ['assets/tray-offlineTemplate.png', 'Offline'],
      ['assets/tray-startingTemplate.png', 'Starting…'],
    ]);
  });

  it('does not touch the menu bar when a status event repeats the same state', () => {
    const { tray, controller } = setup();
    controller.update({ status: statusIn('running') });
    tray.calls = [];
    controller.update({ status: statusIn('running', { checkedAt: '2025-01-01T00:00:09.000Z' }) });
    expect(tray.calls).toEqual([]);
  });

  it('shows an operation in progress, then the status after it', () => {
    const { tray, controller } = setup();
    controller.update({ status: statusIn('running') });
    controller.update({ operation: 'down' });
    expect(tray.title).toBe('Stopping…');
    controller.update({ operation: null, status: statusIn('stopped') });
    expect(tray.title).toBe('Stopped');
  });

  it('toggles the popover on click with the icon bounds', () => {
    const { tray, onClick } = setup();
    tray.emit('click');
    expect(onClick).toHaveBeenCalledWith({ x: 1000, y: 0, width: 24, height: 24 });
  });

  it('opens a menu built from the current state on right-click, wired to the actions', () => {
    const { tray, controller, actions } = setup();
    controller.update({ status: statusIn('running'), openAtLogin: true });
    tray.emit('right-click');
    const menu = tray.popped[0] ?? [];
    expect(menu.map((i) => i.label ?? i.type)).toEqual([
      'Mirror running at http://localhost:5000',
      'separator',
      'Stop Mirror',
      'Verify Mirror',
      'Configure Docker…',
      'separator',
      'Open Dashboard…',
      'Open at Login',
      'separator',
      'Quit (Mirror Keeps Running)',
    ]);
    expect(menu.find((i) => i.label === 'Open at Login')?.checked).toBe(true);
    expect(menu.find((i) => i.label === 'Stop Mirror')?.click).toBe(actions.stop);
    expect(menu.find((i) => i.label === 'Open at Login')?.click).toBe(actions['toggle-login-item']);
    controller.update({ status: statusIn('stopped') });
    tray.emit('right-click');
    expect(tray.popped[1]?.some((i) => i.label === 'Start Mirror')).toBe(true);
  });
});
