// The menu-bar behaviours Electron itself decides, checked on the whole main process (startApp) over
// the fake `electron`, which does what Electron documents (see testing/fake-electron.ts): Cmd+W and
// the last window closing, the permission a copy button needs, a double click on the icon, a renderer
// process that dies, Escape, links, credentials on disk.
import { EventEmitter } from 'node:events';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { MirrorStatus } from '../app/mirror/status.js';
import type { EngineHandle } from './mirror-service.js';
import { statusIn } from './testing/status.js';
import { eventually } from '../testbed/eventually.js';

vi.hoisted(() => {
  // See settings-store.test.ts: lets electron-store load under plain Node.
  process.env.ELECTRON_OVERRIDE_DIST_PATH ??= '/nonexistent/electron-dist';
});
vi.mock('electron', () => import('./testing/fake-electron.js'));

const fake = await import('./testing/fake-electron.js');
const { startApp } = await import('./index.js');

function engine() {
  const monitor = Object.assign(new EventEmitter<{ status: [MirrorStatus] }>(), {
    start() {},
    stop() {},
    refresh: async () => statusIn('stopped'),
  });
  const mirror = {
    up: vi.fn(async () => ({ action: 'started' as const, status: statusIn('running') })),
    down: vi.fn(async () => true),
    restart: vi.fn(async () => statusIn('running')),
    logs: vi.fn(async () => ''),
  };
  return async (): Promise<EngineHandle> => ({ mirror, monitor, verify: vi.fn() });
}

let home: string;
let root: string;

async function start() {
  const shell = await startApp({
    env: { DRPC_HOME: home, HOME: home },
    platform: 'darwin',
    root: pathToFileURL(`${root}/`),
    buildEngine: engine(),
    logSink: () => {},
  });
  if (!shell) throw new Error('the app did not start');
  const popover = fake.BrowserWindow.all[0];
  const tray = fake.Tray.all[0];
  if (!popover || !tray) throw new Error('no popover or tray');
  return { shell, popover, tray };
}

beforeEach(() => {
  fake.resetFakeElectron();
  home = mkdtempSync(join(tmpdir(), 'drpc-menubar-home-'));
  root = mkdtempSync(join(tmpdir(), 'drpc-menubar-root-'));
});

describe('the app in the menu bar', () => {
  it('stays running with its icon after Cmd+W in the popover: the popover only hides', async () => {
    const { popover, tray } = await start();
    tray.emit('click');
    expect(popover.visible).toBe(true);
    expect(fake.BrowserWindow.getFocusedWindow()).toBe(popover);
    popover.webContents.pressKey('W', { meta: true }); // the default menu's Close
    expect(popover.visible).toBe(false);
    expect(popover.isDestroyed()).toBe(false);
    expect(fake.app.exited).toBe(false);
    expect(fake.app.quitCalls).toBe(0);
  });

  it('stays running when its last window closes (the dashboard, after the popover was closed)', async () => {
    const { shell, popover } = await start();
    shell.dashboard.open();
    const dashboard = fake.BrowserWindow.all[1];
    popover.destroy();
    expect(dashboard?.close()).toBe(true);
    expect(fake.BrowserWindow.getAllWindows()).toEqual([]);
    expect(fake.app.exited).toBe(false);
  });

  it('still quits from the menu, closing its windows', async () => {
    const { shell, popover } = await start();
    shell.tray
      .menu()
      .items.find((i) => i.label?.startsWith('Quit'))
      ?.click?.();
    await eventually(() => expect(fake.app.exited).toBe(true));
    expect(popover.isDestroyed()).toBe(true);
  });

  it("copies from the popover's copy buttons, and from no other page", async () => {
    const { popover } = await start();
    await popover.webContents.clipboardWriteText('http://localhost:5000');
    expect(fake.clipboard.readText()).toBe('http://localhost:5000');
    const foreign = new fake.FakeWebContents();
    foreign.mainFrame.url = 'https://evil.example/';
    await expect(foreign.clipboardWriteText('nope')).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(fake.clipboard.readText()).toBe('http://localhost:5000');
  });

  it('opens and closes the popover on two quick clicks on the icon', async () => {
    const { popover, tray } = await start();
    tray.doubleClick();
    expect(popover.visible).toBe(false);
    tray.emit('click');
    expect(popover.visible).toBe(true);
  });

  it('hides the popover on Escape', async () => {
    const { popover, tray } = await start();
    tray.emit('click');
    popover.webContents.pressKey('Escape');
    expect(popover.visible).toBe(false);
  });

  it('reloads the page when its renderer process dies', async () => {
    const { popover } = await start();
    popover.webContents.crash('killed');
    expect(popover.webContents.reloads).toBe(1);
    expect(popover.webContents.gone).toBe(false);
  });

  it('opens links from the page in the browser only for known hosts', async () => {
    await start();
    const contents = new fake.FakeWebContents();
    fake.app.emit('web-contents-created', {}, contents);
    contents.windowOpenHandler?.({ url: 'https://hub.docker.com/_/registry' });
    contents.windowOpenHandler?.({ url: 'https://evil.example/' });
    expect(fake.shell.opened).toEqual(['https://hub.docker.com/_/registry']);
  });

  it('writes the credentials file readable by its owner only', async () => {
    const { popover } = await start();
    const reply = await fake.ipcMain.invoke(popover.webContents, 'drpc:call:credentials.set', {
      username: 'alice',
      password: 'dckr_pat_Menu-Bar-Test',
    });
    expect(reply).toMatchObject({ ok: true });
    expect(statSync(join(home, 'credentials.json')).mode & 0o777).toBe(0o600);
  });
});
