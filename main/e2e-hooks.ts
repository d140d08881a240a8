// What the Playwright tests (e2e/electron) reach through `electronApp.evaluate`, since they cannot
// click the macOS menu bar. Installed only in unpackaged runs started with DRPC_E2E=1.
import type { Rectangle } from 'electron';

interface Item {
  label?: string;
  enabled?: boolean;
  checked?: boolean;
  type?: string;
}

export function e2eHooks(
  tray: { view: { icon: string; title: string; tooltip: string }; menu(): { items: Item[] } },
  popover: { visible: boolean },
  icon: { emit(event: 'click'): unknown; getBounds(): Rectangle },
) {
  return {
    trayView: () => tray.view,
    menuItems: () =>
      tray
        .menu()
        .items.map((i) => ({ label: i.label, enabled: i.enabled, checked: i.checked, type: i.type })),
    /** what a left click on the icon does */
    clickTray: () => void icon.emit('click'),
    popoverVisible: () => popover.visible,
  };
}

declare global {
  var __drpcE2E: ReturnType<typeof e2eHooks> | undefined;
}
