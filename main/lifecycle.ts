// The app's life: one instance (a second launch opens the popover), the login item with the status
// macOS reports, re-checking Docker after sleep, and quitting without stopping the mirror unless asked.
import type { LoginItemSettings, Settings } from 'electron';
import type { LoginItemState } from '../app/contract/values.js';
import { messageOf } from '../app/util/errors.js';
import type { Logger } from './log.js';

export interface SingleInstancePort {
  requestSingleInstanceLock(): boolean;
  quit(): void;
  on(event: 'second-instance', listener: () => void): unknown;
}

/** True when this is the only instance; otherwise it quits and the first instance is told. */
export function claimSingleInstance(app: SingleInstancePort, onSecondLaunch: () => void): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', onSecondLaunch);
  return true;
}

export interface LoginItemPort {
  getLoginItemSettings(): Pick<LoginItemSettings, 'openAtLogin' | 'status'>;
  setLoginItemSettings(settings: Settings): void;
}

const LOGIN_MESSAGES: Record<LoginItemState['status'], string> = {
  enabled: 'The app opens when you log in.',
  'not-registered': 'The app does not open at login.',
  'requires-approval': 'macOS needs your approval: allow the app in System Settings > General > Login Items.',
  'not-found': 'macOS cannot find the app to open at login: move it to Applications and try again.',
  unsupported: 'Opening at login is not supported on this system.',
};

export function loginItemState(app: LoginItemPort, platform: NodeJS.Platform): LoginItemState {
  if (platform !== 'darwin' && platform !== 'win32') {
    return { openAtLogin: false, status: 'unsupported', message: LOGIN_MESSAGES.unsupported };
  }
  const s = app.getLoginItemSettings();
  // `status` is macOS 13+ only; elsewhere it follows openAtLogin.
  const status: LoginItemState['status'] =
    platform === 'darwin' && s.status ? s.status : s.openAtLogin ? 'enabled' : 'not-registered';
  const openAtLogin = s.openAtLogin || status === 'enabled' || status === 'requires-approval';
  return { openAtLogin, status, message: LOGIN_MESSAGES[status] };
}

export function setLoginItem(
  app: LoginItemPort,
  openAtLogin: boolean,
  platform: NodeJS.Platform,
): LoginItemState {
  if (platform === 'darwin' || platform === 'win32') app.setLoginItemSettings({ openAtLogin });
  return loginItemState(app, platform);
}

export interface PowerPort {
  on(event: 'resume' | 'unlock-screen', listener: () => void): unknown;
}

/** After sleep the engine may have gone away or come back: check again. */
export function recheckOnWake(power: PowerPort, recheck: () => void): void {
  power.on('resume', recheck);
  power.on('unlock-screen', recheck);
}

export interface MenuBarAppPort {
  on(event: 'window-all-closed' | 'before-quit', listener: () => void): unknown;
}

/**
 * A menu-bar app lives in the menu bar, not in its windows: Electron quits when the last window
 * closes unless someone listens to 'window-all-closed' (app.md), and Cmd+W (the default menu's Close)
 * would close the only window. `quitting` turns true once a quit has begun, when windows must close.
 */
export function stayInMenuBar(app: MenuBarAppPort): { readonly quitting: boolean } {
  const state = { quitting: false };
  app.on('window-all-closed', () => {
    /* stay: the tray icon is the app */
  });
  app.on('before-quit', () => {
    state.quitting = true;
  });
  return state;
}

export interface QuitPort {
  on(event: 'before-quit', listener: (e: { preventDefault(): void }) => void): unknown;
  quit(): void;
}

export interface QuitDeps {
  app: QuitPort;
  /** the quitStopsMirror setting */
  stopsMirrorByDefault(): boolean;
  stopMirror(): Promise<unknown>;
  /** stops watching Docker, closes the log; never touches the container */
  cleanup(): void;
  log: Logger;
  timeoutMs?: number;
}

/** Quitting leaves the mirror running, unless the setting or the caller says to stop it first. */
export class QuitController {
  private override?: boolean;
  private phase: 'running' | 'stopping-mirror' | 'leaving' = 'running';

  constructor(private readonly deps: QuitDeps) {
    deps.app.on('before-quit', (e) => this.beforeQuit(e));
  }

  quit(stopMirror?: boolean): void {
    this.override = stopMirror;
    this.deps.app.quit();
  }

  private beforeQuit(e: { preventDefault(): void }): void {
    if (this.phase === 'stopping-mirror') {
      e.preventDefault();
      return;
    }
    if (this.phase === 'leaving' || !(this.override ?? this.deps.stopsMirrorByDefault())) {
      this.leave();
      return;
    }
    e.preventDefault();
    this.phase = 'stopping-mirror';
    const timeout = new Promise<void>((resolve) =>
      setTimeout(resolve, this.deps.timeoutMs ?? 15_000).unref(),
    );
    Promise.race([this.deps.stopMirror(), timeout])
      .catch((err: unknown) =>
        this.deps.log.warn('could not stop the mirror before quitting', { message: messageOf(err) }),
      )
      .finally(() => {
        this.phase = 'leaving';
        this.deps.app.quit();
      });
  }

  private leave(): void {
    if (this.phase !== 'leaving') this.phase = 'leaving';
    this.deps.cleanup();
  }
}
