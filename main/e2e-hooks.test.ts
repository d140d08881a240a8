import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { e2eHooks } from './e2e-hooks.js';

describe('e2eHooks', () => {
  it('reads the tray and menu as plain data and clicks the icon', () => {
    const icon = Object.assign(new EventEmitter(), {
      getBounds: () => ({ x: 0, y: 0, width: 24, height: 24 }),
    });
    const popover = { visible: false };
    icon.on('click', () => (popover.visible = !popover.visible));
    const hooks = e2eHooks(
      {
        view: { icon: 'tray-offlineTemplate', title: 'Offline', tooltip: 't' },
        menu: () => ({
          items: [{ label: 'Start Mirror', enabled: false, type: 'normal', extra: () => {} } as never],
        }),
      },
      popover,
      icon,
    );
    expect(hooks.trayView().title).toBe('Offline');
    expect(hooks.menuItems()).toEqual([
      { label: 'Start Mirror', enabled: false, checked: undefined, type: 'normal' },
    ]);
    hooks.clickTray();
    expect(hooks.popoverVisible()).toBe(true);
  });
});
