// The whole main process wired together, against a fake `electron` and a fake Docker engine.
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MirrorSettings, UpstreamCredentials } from '../app/mirror/settings.js';
import type { MirrorStatus } from '../app/mirror/status.js';
import type { EngineHandle } from './mirror-service.js';
import { statusIn } from './testing/status.js';
import { eventually } from '../testbed/eventually.js';
import { CURRENT_SETTINGS_VERSION } from '../app/settings/migrations.js';

vi.hoisted(() => {
  // See settings-store.test.ts: lets electron-store load under plain Node.
  process.env.ELECTRON_OVERRIDE_DIST_PATH ??= '/nonexistent/electron-dist';
});
vi.mock('electron', () => import('./testing/fake-electron.js'));

const fake = await import('./testing/fake-electron.js');
const { startApp } = await import('./index.js');

const PASSWORD = 'dckr_pat_Index-Test-Secret';

class Engine {
  monitor = Object.assign(new EventEmitter<{ status: [MirrorStatus] }>(), {
    next: statusIn('stopped'),
    started: 0,
    stopped: 0,
    refreshes: 0,
    start() {
      this.started++;
    },
    stop() {
      this.stopped++;
    },
    async refresh() {
      this.refreshes++;
      return this.next;
    },
  });
  mirror = {
    up: vi.fn(async () => ({ action: 'started' as const, status: statusIn('running') })),
    down: vi.fn(async () => true),
    restart: vi.fn(async () => statusIn('running')),
    logs: vi.fn(async () => ''),
  };
  builds: [MirrorSettings, UpstreamCredentials | null][] = [];
  build = async (settings: MirrorSettings, creds: UpstreamCredentials | null): Promise<EngineHandle> => {
    this.builds.push([settings, creds]);
    return { mirror: this.mirror, monitor: this.monitor, verify: vi.fn() };
  };
  emit(status: MirrorStatus) {
    this.monitor.next = status;
    this.monitor.emit('status', status);
  }
}

let home: string;
let root: string;
let logLines: string[];

async function start(env: Record<string, string> = {}, engine = new Engine()) {
  const shell = await startApp({
    env: { DRPC_HOME: home, HOME: home, ...env },
    platform: 'darwin',
    root: pathToFileURL(`${root}/`),
    buildEngine: engine.build,
    logSink: (l) => logLines.push(l),
  });
  return { shell, engine };
}

function ourContents() {
  const win = fake.BrowserWindow.all[0];
  if (!win) throw new Error('no popover window');
  return win.webContents;
}
const call = (name: string, input?: unknown, contents = ourContents()) =>
  fake.ipcMain.invoke(contents, `drpc:call:${name}`, input);

beforeEach(() => {
  fake.resetFakeElectron();
  home = mkdtempSync(join(tmpdir(), 'drpc-index-home-'));
  root = mkdtempSync(join(tmpdir(), 'drpc-index-root-'));
  logLines = [];
});
afterEach(() => {
  delete globalThis.__drpcE2E;
});

describe('startApp', () => {
  it('quits at once when another instance runs', async () => {
    fake.app.lock = false;
    const { shell } = await start();
    expect(shell).toBeUndefined();
    expect(fake.app.quitCalls).toBe(1);
    expect(fake.Tray.all).toHaveLength(0);
  });

  it('shows the mirror state in the tray and updates it on each status event', async () => {
    const { engine } = await start();
    const tray = fake.Tray.all[0];
    await eventually(() => expect(tray?.title).toBe('Stopped'));
    for (const [state, icon, title] of [
      ['running', 'tray-runningTemplate', 'Running'],
      ['engine-unreachable', 'tray-offlineTemplate', 'Offline'],
      ['crash-looping', 'tray-errorTemplate', 'Error'],
    ] as const) {
      engine.emit(statusIn(state));
      expect(tray?.image).toEqual({ path: join(root, 'assets', `${icon}.png`) });
      expect(tray?.title).toBe(title);
    }
    expect(fake.app.dockHidden).toBe(true);
  });

  it('sends status events to the windows and answers calls from our page', async () => {
    const { engine } = await start();
    engine.emit(statusIn('running'));
    expect(ourContents().sent).toContainEqual({
      channel: 'drpc:event:mirror.status',
      payload: statusIn('running'),
    });
    expect(await call('mirror.status')).toEqual({ ok: true, value: statusIn('running') });
    expect(await call('settings.get')).toMatchObject({
      ok: true,
      value: { version: CURRENT_SETTINGS_VERSION, mirror: { port: 5000 } },
    });
  });

  it('refuses calls from a page that is not ours and input that is invalid', async () => {
    await start();
    const foreign = new fake.FakeWebContents();
    foreign.mainFrame.url = 'https://evil.example/';
    expect(await call('settings.get', undefined, foreign)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    ourContents().mainFrame.url = 'https://evil.example/';
    expect(await call('settings.get')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    ourContents().mainFrame.url = pathToFileURL(join(root, 'out/renderer/index.html')).href;
    expect(await call('settings.update', { mirror: { port: -1 } })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', issues: [{ path: 'mirror.port' }] },
    });
  });

  it('applies a settings change: saved, broadcast, and the engine rebuilt', async () => {
    const { engine } = await start();
    expect(await call('settings.update', { mirror: { port: 5001 } })).toMatchObject({ ok: true });
    expect(JSON.parse(readFileSync(join(home, 'settings.json'), 'utf8')).mirror.port).toBe(5001);
    expect(ourContents().sent.map((s) => s.channel)).toContain('drpc:event:settings.changed');
    await eventually(() => expect(engine.builds.at(-1)?.[0].port).toBe(5001));
  });

  it('keeps upstream credentials out of the settings file, the log and every reply', async () => {
    const { engine } = await start();
    const set = await call('credentials.set', { username: 'alice', password: PASSWORD });
    expect(set).toEqual({ ok: true, value: { configured: true, username: 'alice' } });
    expect(await call('credentials.get')).toEqual({
      ok: true,
      value: { configured: true, username: 'alice' },
    });
    // Handed to the engine, the one place it goes in clear.
    expect(engine.builds.at(-1)?.[1]).toEqual({ username: 'alice', password: PASSWORD });
    expect(logLines.length).toBeGreaterThan(0);
    const places = {
      settings: readFileSync(join(home, 'settings.json'), 'utf8'),
      credentials: readFileSync(join(home, 'credentials.json'), 'utf8'),
      log: logLines.join('\n'),
      events: JSON.stringify(ourContents().sent),
    };
    for (const [where, text] of Object.entries(places)) {
      expect(text.includes(PASSWORD) || text.includes(Buffer.from(PASSWORD).toString('base64')), where).toBe(
        false,
      );
    }
    expect(await call('credentials.clear')).toEqual({
      ok: true,
      value: { configured: false, username: null },
    });
    expect(engine.builds.at(-1)?.[1]).toBeNull();
  });

  it('backs up a corrupted settings file and shows a notice, in the UI and as a notification', async () => {
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'settings.json'), '{ this is not json');
    await start();
    const notices = await call('notices.list');
    expect(notices).toMatchObject({
      ok: true,
      value: [{ kind: 'settings-reset', title: 'Settings were reset' }],
    });
    expect(fake.Notification.shown.map((n) => n.title)).toContain('Settings were reset');
  });

  it('opens the popover on a second launch and on a tray click', async () => {
    await start();
    const popover = fake.BrowserWindow.all[0];
    fake.app.emit('second-instance');
    expect(popover?.visible).toBe(true);
    popover?.hide();
    fake.Tray.all[0]?.emit('click');
    expect(popover?.visible).toBe(true);
  });

  it('quits leaving the mirror running, unless the settings say to stop it', async () => {
    const first = await start();
    fake.app.quit();
    expect(fake.app.exited).toBe(true);
    expect(first.engine.mirror.down).not.toHaveBeenCalled();
    expect(first.engine.monitor.stopped).toBeGreaterThan(0);

    fake.resetFakeElectron();
    const second = await start();
    await call('settings.update', { app: { quitStopsMirror: true } });
    fake.app.quit();
    await eventually(() => expect(fake.app.exited).toBe(true));
    expect(second.engine.mirror.down).toHaveBeenCalledOnce();
  });

  it('turns opening at login on from the menu, recording it in the settings', async () => {
    const { shell } = await start();
    const menuItem = () => shell?.tray.menu().items.find((i) => i.label === 'Open at Login');
    expect(menuItem()?.checked).toBe(false);
    menuItem()?.click?.();
    await eventually(() => expect(fake.app.loginItem.openAtLogin).toBe(true));
    await eventually(() => expect(menuItem()?.checked).toBe(true));
    expect(await call('settings.get')).toMatchObject({ value: { app: { startAtLogin: true } } });
    expect(await call('app.loginItem.get')).toMatchObject({
      value: { openAtLogin: true, status: 'enabled' },
    });
  });

  it('re-checks Docker after the Mac wakes', async () => {
    const { engine } = await start();
    const before = engine.monitor.refreshes;
    fake.powerMonitor.emit('resume');
    await eventually(() => expect(engine.monitor.refreshes).toBe(before + 1));
  });

  it('starts a stopped mirror at launch only when asked to, and never restarts a running one', async () => {
    const a = await start();
    await eventually(() => expect(a.engine.monitor.refreshes).toBeGreaterThan(0));
    expect(a.engine.mirror.up).not.toHaveBeenCalled();
    await call('settings.update', { app: { startMirrorOnLaunch: true } });

    // The first app quits (it lets go of the mirror's owner lock), then the app launches again.
    await a.shell?.core.dispose();
    fake.resetFakeElectron();
    const b = await start();
    await eventually(() => expect(b.engine.mirror.up).toHaveBeenCalledOnce());

    await b.shell?.core.dispose();
    fake.resetFakeElectron();
    const running = new Engine();
    running.monitor.next = statusIn('running');
    await start({}, running);
    await eventually(() => expect(running.monitor.refreshes).toBeGreaterThan(0));
    expect(running.mirror.up).not.toHaveBeenCalled();
  });

  it('guards every web contents: no new windows, no navigation away', async () => {
    await start();
    const contents = new fake.FakeWebContents();
    fake.app.emit('web-contents-created', {}, contents);
    expect(contents.windowOpenHandler?.({ url: 'https://docs.docker.com/' })).toEqual({ action: 'deny' });
    expect(fake.shell.opened).toEqual(['https://docs.docker.com/']);
    let prevented = false;
    contents.emit('will-navigate', {
      url: 'https://evil.example/',
      preventDefault: () => (prevented = true),
    });
    expect(prevented).toBe(true);
  });

  it('exposes test hooks only when DRPC_E2E=1', async () => {
    const first = await start();
    expect(globalThis.__drpcE2E).toBeUndefined();
    await first.shell?.core.dispose();
    fake.resetFakeElectron();
    await start({ DRPC_E2E: '1' });
    expect(globalThis.__drpcE2E?.menuItems().map((i) => i.label)).toContain('Start Mirror');
  });
});
