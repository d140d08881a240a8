import { describe, expect, it, vi } from 'vitest';
import { secureWebPreferences } from './security.js';
import {
  Dashboard,
  dashboardWindowOptions,
  Popover,
  POPOVER_SIZE,
  popoverWindowOptions,
  rendererLoader,
} from './popover.js';
import { BrowserWindow } from './testing/fake-electron.js';
import { eventually } from '../testbed/eventually.js';

const screen = {
  getAllDisplays: () => [
    { bounds: { x: 0, y: 0, width: 1512, height: 982 }, workArea: { x: 0, y: 37, width: 1512, height: 870 } },
  ],
  getCursorScreenPoint: () => ({ x: 0, y: 0 }),
};

function setup() {
  let clock = 1_000;
  const quitting = { now: false };
  const created: BrowserWindow[] = [];
  const load = vi.fn(async (win: BrowserWindow) => win.loadFile('/app/out/renderer/index.html'));
  const popover = new Popover({
    create: () => {
      const w = new BrowserWindow(popoverWindowOptions(secureWebPreferences('/p.cjs', false)));
      created.push(w);
      return w;
    },
    load,
    screen,
    anchor: () => ({ x: 1300, y: 0, width: 24, height: 37 }),
    isQuitting: () => quitting.now,
    now: () => clock,
  });
  return { popover, created, load, quitting, advance: (ms: number) => (clock += ms) };
}

describe('popover window options', () => {
  it('is frameless, fixed and kept out of the Dock and window switcher', () => {
    const o = popoverWindowOptions(secureWebPreferences('/p.cjs', false));
    expect(o).toMatchObject({
      frame: false,
      show: false,
      resizable: false,
      skipTaskbar: true,
      fullscreenable: false,
    });
    expect(o.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
    expect(dashboardWindowOptions(secureWebPreferences('/p.cjs', false))).toMatchObject({
      show: false,
      minWidth: 720,
    });
  });
});

describe('Popover', () => {
  it('creates and loads its window once, hidden, on every Space', () => {
    const { popover, created, load } = setup();
    popover.window();
    popover.window();
    expect(created).toHaveLength(1);
    expect(created[0]?.allWorkspaces).toBe(true);
    expect(load).toHaveBeenCalledOnce();
    expect(popover.visible).toBe(false);
  });

  it('opens centred under the icon and inside the work area on click', () => {
    const { popover, created } = setup();
    popover.toggle({ x: 700, y: 0, width: 24, height: 37 });
    expect(popover.visible).toBe(true);
    expect(created[0]?.bounds).toEqual({ x: 712 - POPOVER_SIZE.width / 2, y: 41, ...POPOVER_SIZE });
    popover.toggle({ x: 1500, y: 0, width: 24, height: 37 });
    expect(popover.visible).toBe(false);
    popover.toggle({ x: 1500, y: 0, width: 24, height: 37 });
    expect(created[0]?.bounds.x).toBe(1512 - 8 - POPOVER_SIZE.width);
  });

  it('hides when it loses focus, and the click that caused that does not reopen it', () => {
    const { popover, created, advance } = setup();
    popover.show();
    created[0]?.emit('blur');
    expect(popover.visible).toBe(false);
    advance(50);
    popover.toggle({ x: 1300, y: 0, width: 24, height: 37 });
    expect(popover.visible).toBe(false);
    advance(500);
    popover.toggle({ x: 1300, y: 0, width: 24, height: 37 });
    expect(popover.visible).toBe(true);
  });

  it('shows under the tray icon when opened by a second launch', () => {
    const { popover, created } = setup();
    popover.show();
    expect(created[0]?.bounds.x).toBe(1312 - POPOVER_SIZE.width / 2);
  });

  it('hides on Cmd+W (a close) and stays, closing for real only once the app quits', () => {
    const { popover, created, quitting } = setup();
    popover.show();
    expect(created[0]?.close()).toBe(false);
    expect(popover.visible).toBe(false);
    expect(created[0]?.isDestroyed()).toBe(false);
    popover.show();
    expect(created).toHaveLength(1);
    quitting.now = true;
    expect(created[0]?.close()).toBe(true);
    expect(created[0]?.isDestroyed()).toBe(true);
  });

  it('hides on Escape, not on other keys or Escape with a modifier', () => {
    const { popover, created } = setup();
    popover.show();
    const page = created[0]!.webContents;
    page.pressKey('a');
    page.pressKey('Escape', { meta: true });
    expect(popover.visible).toBe(true);
    page.pressKey('Escape');
    expect(popover.visible).toBe(false);
  });

  it('makes a new window after the old one was destroyed', () => {
    const { popover, created } = setup();
    popover.show();
    created[0]?.destroy();
    popover.show();
    expect(created).toHaveLength(2);
    expect(popover.visible).toBe(true);
  });
});

describe('a renderer process that dies', () => {
  it('is reloaded, up to three times a minute, and not after a clean exit', () => {
    const { popover, created, advance } = setup();
    popover.show();
    const page = created[0]!.webContents;
    page.crash('killed');
    expect(page.reloads).toBe(1);
    page.crash('oom');
    page.crash('crashed');
    expect(page.reloads).toBe(3);
    page.crash('crashed'); // a page that dies at once every time is not reloaded forever
    expect(page.reloads).toBe(3);
    advance(61_000);
    page.crash('crashed');
    expect(page.reloads).toBe(4);
    page.crash('clean-exit');
    expect(page.reloads).toBe(4);
  });

  it('in the dashboard too', () => {
    const created: BrowserWindow[] = [];
    const d = new Dashboard({
      create: () => {
        const w = new BrowserWindow({});
        created.push(w);
        return w;
      },
      load: async () => {},
      focusApp: () => {},
    });
    d.open();
    created[0]!.webContents.crash('killed');
    expect(created[0]!.webContents.reloads).toBe(1);
  });
});

describe('Dashboard', () => {
  function dashboard() {
    const created: BrowserWindow[] = [];
    const focusApp = vi.fn();
    const load = rendererLoader('/app/out/renderer/index.html', undefined);
    const d = new Dashboard({
      create: () => {
        const w = new BrowserWindow(dashboardWindowOptions(secureWebPreferences('/p.cjs', false)));
        created.push(w);
        return w;
      },
      load,
      focusApp,
    });
    return { d, created, focusApp };
  }

  it('opens one normal window, shown when ready, and brings the app forward', async () => {
    const { d, created, focusApp } = dashboard();
    d.open();
    expect(created[0]?.visible).toBe(false);
    await eventually(() => expect(created[0]?.visible).toBe(true));
    expect(focusApp).toHaveBeenCalled();
    d.open();
    expect(created).toHaveLength(1);
  });

  it('opens a section by its hash, in the existing window too', async () => {
    const { d, created } = dashboard();
    d.open('configure');
    await eventually(() =>
      expect(created[0]?.webContents.getURL()).toBe('file:///app/out/renderer/index.html#configure'),
    );
    d.open();
    d.open('logs');
    await eventually(() => expect(created[0]?.webContents.getURL()).toMatch(/#logs$/));
  });

  it('opens a new window after the dashboard was closed', () => {
    const { d, created } = dashboard();
    d.open();
    created[0]?.close();
    expect(d.window).toBeUndefined();
    d.open();
    expect(created).toHaveLength(2);
  });
});

describe('rendererLoader', () => {
  it('loads the dev server when there is one, else the file', async () => {
    const win = new BrowserWindow({});
    await rendererLoader('/r/index.html', 'http://localhost:5173')(win, 'configure');
    expect(win.webContents.getURL()).toBe('http://localhost:5173/#configure');
    await rendererLoader('/r/index.html', undefined)(win);
    expect(win.webContents.getURL()).toBe('file:///r/index.html');
  });
});
