// The menu-bar icon: a template image per state, a short title and a tooltip, redrawn on status
// events (never by polling); a click toggles the popover, a right-click opens the menu.
import type { MenuItemConstructorOptions, Rectangle } from 'electron';
import type { Operation } from '../app/contract/values.js';
import type { MirrorStatus } from '../app/mirror/status.js';
import { trayMenuModel, trayView, type MenuModelItem, type TrayAction } from '../app/shell/tray-state.js';

/** The parts of Electron's Tray we use; the real Tray satisfies it (checked in index.ts). */
export interface TrayPort<Image, Menu> {
  setImage(image: Image): void;
  setToolTip(toolTip: string): void;
  setTitle(title: string): void;
  getBounds(): Rectangle;
  popUpContextMenu(menu?: Menu): void;
  setIgnoreDoubleClickEvents(ignore: boolean): void;
  on(event: 'click' | 'right-click', listener: () => void): unknown;
}

export interface TrayDeps<Image, Menu> {
  tray: TrayPort<Image, Menu>;
  /** the image for `assets/<name>.png` (Electron picks up `@2x` and the Template suffix itself) */
  icon(name: string): Image;
  buildMenu(template: MenuItemConstructorOptions[]): Menu;
  actions: Record<TrayAction, () => void>;
  /** a left click: show or hide the popover under the icon */
  onClick(bounds: Rectangle): void;
}

export interface TrayInput {
  status: MirrorStatus | undefined;
  operation: Operation;
  openAtLogin: boolean;
  quitStopsMirror: boolean;
}

export class TrayController<Image, Menu> {
  private input: TrayInput = {
    status: undefined,
    operation: null,
    openAtLogin: false,
    quitStopsMirror: false,
  };
  private shown = { icon: '', title: '', tooltip: '' };

  constructor(private readonly deps: TrayDeps<Image, Menu>) {
    // macOS turns the second of two quick clicks into 'double-click' and no 'click': open-then-close
    // would leave the popover open. Every click toggles it.
    deps.tray.setIgnoreDoubleClickEvents(true);
    deps.tray.on('click', () => deps.onClick(deps.tray.getBounds()));
    // The menu is built when it opens, so it always reflects the latest state.
    deps.tray.on('right-click', () => deps.tray.popUpContextMenu(this.menu()));
    this.render();
  }

  /** Applies a change (a status event, an operation starting or ending, a setting) and redraws. */
  update(change: Partial<TrayInput>): void {
    this.input = { ...this.input, ...change };
    this.render();
  }

  get view() {
    return { ...this.shown };
  }

  menu(): Menu {
    return this.deps.buildMenu(trayMenuModel(this.input).map((item) => this.menuItem(item)));
  }

  private render(): void {
    const v = trayView(this.input.status, this.input.operation);
    // Only what changed is sent to the menu bar: status events repeat the same state often.
    if (v.icon !== this.shown.icon) this.deps.tray.setImage(this.deps.icon(v.icon));
    if (v.title !== this.shown.title) this.deps.tray.setTitle(v.title);
    if (v.tooltip !== this.shown.tooltip) this.deps.tray.setToolTip(v.tooltip);
    this.shown = { icon: v.icon, title: v.title, tooltip: v.tooltip };
  }

  private menuItem(item: MenuModelItem): MenuItemConstructorOptions {
    switch (item.kind) {
      case 'header':
        return { label: item.label, enabled: false };
      case 'separator':
        return { type: 'separator' };
      case 'checkbox':
        return {
          label: item.label,
          type: 'checkbox',
          checked: item.checked,
          click: this.deps.actions[item.action],
        };
      case 'action':
        return { label: item.label, enabled: item.enabled, click: this.deps.actions[item.action] };
    }
  }
}
