import { EventEmitter } from 'node:events';
import type { LoginItemSettings, Settings } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import {
  claimSingleInstance,
  loginItemState,
  QuitController,
  recheckOnWake,
  setLoginItem,
  stayInMenuBar,
  type LoginItemPort,
} from './lifecycle.js';
import { silentLogger } from './log.js';
import { eventually } from '../testbed/eventually.js';

class FakeLoginItems implements LoginItemPort {
  settings: Pick<LoginItemSettings, 'openAtLogin' | 'status'> = {
    openAtLogin: false,
    status: 'not-registered',
  };
  /** what macOS does when asked to enable: enable, or want approval (unsigned or newly installed apps) */
  onEnable: LoginItemSettings['status'] = 'enabled';
  getLoginItemSettings() {
    return { ...this.settings };
  }
  setLoginItemSettings(s: Settings) {
    this.settings = s.openAtLogin
      ? { openAtLogin: this.onEnable === 'enabled', status: this.onEnable }
      : { openAtLogin: false, status: 'not-registered' };
  }
}

class FakeQuitApp extends EventEmitter {
  exited = false;
  quit() {
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.exited = true;
  }
}

describe('single instance', () => {
  it('quits a second instance and tells the first one', () => {
    const first = Object.assign(new EventEmitter(), { requestSingleInstanceLock: () => true, quit: vi.fn() });
    const onSecond = vi.fn();
    expect(claimSingleInstance(first, onSecond)).toBe(true);
    first.emit('second-instance');
    expect(onSecond).toHaveBeenCalledOnce();
    const second = Object.assign(new EventEmitter(), {
      requestSingleInstanceLock: () => false,
      quit: vi.fn(),
    });
    expect(claimSingleInstance(second, onSecond)).toBe(false);
    expect(second.quit).toHaveBeenCalledOnce();
  });
});

describe('login item', () => {
  it('reports the macOS status with a message, including approval', () => {
    const items = new FakeLoginItems();
    expect(loginItemState(items, 'darwin')).toMatchObject({ openAtLogin: false, status: 'not-registered' });
    items.onEnable = 'requires-approval';
    const state = setLoginItem(items, true, 'darwin');
    expect(state.status).toBe('requires-approval');
    expect(state.openAtLogin).toBe(true);
    expect(state.message).toMatch(/System Settings > General > Login Items/);
    expect(setLoginItem(items, false, 'darwin')).toMatchObject({
      openAtLogin: false,
      status: 'not-registered',
    });
    items.onEnable = 'enabled';
    expect(setLoginItem(items, true, 'darwin')).toMatchObject({ openAtLogin: true, status: 'enabled' });
  });

  it('says unsupported on Linux and never calls Electron there', () => {
    const items = new FakeLoginItems();
    const set = vi.spyOn(items, 'setLoginItemSettings');
    expect(setLoginItem(items, true, 'linux')).toMatchObject({ openAtLogin: false, status: 'unsupported' });
    expect(set).not.toHaveBeenCalled();
  });
});

describe('wake', () => {
  it('re-checks Docker after resume and unlock', () => {
    const power = new EventEmitter();
    const recheck = vi.fn();
    recheckOnWake(power, recheck);
    power.emit('resume');
    power.emit('unlock-screen');
    expect(recheck).toHaveBeenCalledTimes(2);
  });
});

describe('QuitController', () => {
  function setup(stopsByDefault: boolean, stopMirror = vi.fn(async () => ({ stopped: true }))) {
    const app = new FakeQuitApp();
    const cleanup = vi.fn();
    const quit = new QuitController({
      app,
      stopsMirrorByDefault: () => stopsByDefault,
      stopMirror,
      cleanup,
      log: silentLogger,
      timeoutMs: 50,
    });
    return { app, cleanup, quit, stopMirror };
  }

  it('leaves the mirror running by default', () => {
    const { app, cleanup, quit, stopMirror } = setup(false);
    quit.quit();
    expect(app.exited).toBe(true);
    expect(stopMirror).not.toHaveBeenCalled();
    expect(cleanup).toHaveBeenCalledOnce();
  });

  it('stops the mirror first when the setting says so, then quits', async () => {
    const { app, quit, stopMirror } = setup(true);
    quit.quit();
    expect(app.exited).toBe(false);
    expect(stopMirror).toHaveBeenCalledOnce();
    await eventually(() => expect(app.exited).toBe(true));
  });

  it('lets the caller override the setting either way', async () => {
    const a = setup(true);
    a.quit.quit(false);
    expect(a.stopMirror).not.toHaveBeenCalled();
    expect(a.app.exited).toBe(true);
    const b = setup(false);
    b.quit.quit(true);
    expect(b.stopMirror).toHaveBeenCalledOnce();
    await eventually(() => expect(b.app.exited).toBe(true));
  });

  it('quits anyway when stopping fails or hangs', async () => {
    const failing = setup(
      true,
      vi.fn(async () => Promise.reject(new Error('engine gone'))),
    );
    failing.quit.quit();
    await eventually(() => expect(failing.app.exited).toBe(true));
    const hanging = setup(
      true,
      vi.fn(() => new Promise<{ stopped: boolean }>(() => {})),
    );
    hanging.quit.quit();
    hanging.app.quit(); // a second Cmd-Q while stopping waits too
    expect(hanging.app.exited).toBe(false);
    await eventually(() => expect(hanging.app.exited).toBe(true));
  });
});

describe('stayInMenuBar', () => {
  it('keeps the app when its last window closes, and says when a quit has begun', () => {
    const app = new EventEmitter();
    const state = stayInMenuBar(app);
    // Electron quits on the last window closing only when nobody listens (app.md, 'window-all-closed').
    expect(app.listenerCount('window-all-closed')).toBe(1);
    expect(state.quitting).toBe(false);
    app.emit('window-all-closed');
    expect(state.quitting).toBe(false);
    app.emit('before-quit', { preventDefault() {} });
    expect(state.quitting).toBe(true);
  });
});
