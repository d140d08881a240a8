// The windows: the popover (frameless, under the tray icon, hidden when it loses focus, on Escape and
// on Cmd+W) and the dashboard as a normal window. Both load the same renderer; the UI decides what to
// show by the hash. A renderer process that dies is reloaded (renderer-recovery.ts).
import type { BrowserWindowConstructorOptions, Point, Rectangle, WebPreferences } from 'electron';
import { popoverBounds, type DisplayArea } from '../app/shell/popover-position.js';
import { silentLogger, type Logger } from './log.js';
import { reloadWhenGone, type RecoverablePage } from './renderer-recovery.js';

/** A key as 'before-input-event' reports it (Electron's Input structure). */
export interface KeyInput {
  type: string;
  key: string;
  meta: boolean;
  control: boolean;
  alt: boolean;
  shift: boolean;
}

/** The parts of BrowserWindow we use; the real one satisfies it (checked in index.ts). */
export interface WindowPort {
  show(): void;
  hide(): void;
  focus(): void;
  isVisible(): boolean;
  isDestroyed(): boolean;
  setBounds(bounds: Partial<Rectangle>): void;
  once(event: 'ready-to-show', listener: () => void): unknown;
  on(event: 'blur' | 'closed', listener: () => void): unknown;
  on(event: 'close', listener: (e: { preventDefault(): void }) => void): unknown;
  webContents: RecoverablePage & {
    on(
      event: 'before-input-event',
      listener: (e: { preventDefault(): void }, input: KeyInput) => void,
    ): unknown;
  };
  loadFile(path: string, options?: { hash?: string }): Promise<void>;
  loadURL(url: string): Promise<void>;
  setVisibleOnAllWorkspaces(visible: boolean, options?: { visibleOnFullScreen?: boolean }): void;
}

export interface ScreenPort {
  getAllDisplays(): DisplayArea[];
  getCursorScreenPoint(): Point;
}

export const POPOVER_SIZE = { width: 380, height: 560 };

export function popoverWindowOptions(webPreferences: WebPreferences): BrowserWindowConstructorOptions {
  return {
    ...POPOVER_SIZE,
    show: false,
    frame: false,
    resizable: false,
    movable: false,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    skipTaskbar: true,
    alwaysOnTop: true,
    vibrancy: 'popover',
    visualEffectState: 'active',
    webPreferences,
  };
}

export function dashboardWindowOptions(webPreferences: WebPreferences): BrowserWindowConstructorOptions {
  return {
    width: 960,
    height: 680,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Docker Registry Proxy Cache',
    webPreferences,
  };
}

/** Loads the renderer: the built file, or the dev server in unpackaged development. */
export function rendererLoader(rendererFile: string, devServerOrigin: string | undefined) {
  return (win: Pick<WindowPort, 'loadFile' | 'loadURL'>, hash?: string): Promise<void> =>
    devServerOrigin
      ? win.loadURL(`${devServerOrigin}/${hash ? `#${hash}` : ''}`)
      : win.loadFile(rendererFile, hash ? { hash } : {});
}

/** A click on the icon while the popover is open first blurs (and hides) it: that click must not reopen it. */
const REOPEN_GUARD_MS = 300;

export class Popover<W extends WindowPort> {
  private win?: W;
  private hiddenAt = -Infinity;

  constructor(
    private readonly deps: {
      create(): W;
      load(win: W): Promise<void>;
      screen: ScreenPort;
      /** where the tray icon is, for a show that did not come from a click */
      anchor(): Rectangle;
      /** true once the app is quitting: then the popover closes for real (else the quit is cancelled) */
      isQuitting(): boolean;
      now?: () => number;
      onError?: (err: unknown) => void;
      log?: Logger;
    },
  ) {}

  /** The window, created (hidden, loading) on first use so the first click opens it at once. */
  window(): W {
    if (this.win && !this.win.isDestroyed()) return this.win;
    const win = this.deps.create();
    // Opens on the Space (and over the full-screen app) the user is looking at, never switching Spaces.
    win.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true });
    win.on('blur', () => {
      if (!this.visible) return;
      this.hide();
      this.hiddenAt = this.now();
    });
    // Cmd+W is the default menu's Close: the popover hides, as a menu-bar popover does; destroying it
    // would leave the next click to wait for a fresh page.
    win.on('close', (e) => {
      if (this.deps.isQuitting()) return;
      e.preventDefault();
      this.hide();
    });
    win.webContents.on('before-input-event', (_e, input) => {
      if (isPlainEscape(input)) this.hide();
    });
    reloadWhenGone(win.webContents, this.deps.log ?? silentLogger, 'popover', this.deps.now);
    win.on('closed', () => {
      if (this.win === win) this.win = undefined;
    });
    this.deps.load(win).catch((err: unknown) => this.deps.onError?.(err));
    this.win = win;
    return win;
  }

  get visible(): boolean {
    return !!this.win && !this.win.isDestroyed() && this.win.isVisible();
  }

  toggle(anchor: Rectangle): void {
    if (this.visible) this.hide();
    else if (this.now() - this.hiddenAt >= REOPEN_GUARD_MS) this.show(anchor);
  }

  show(anchor: Rectangle = this.deps.anchor()): void {
    const win = this.window();
    win.setBounds(
      popoverBounds(anchor, POPOVER_SIZE, this.deps.screen.getAllDisplays(), {
        cursor: this.deps.screen.getCursorScreenPoint(),
      }),
    );
    win.show();
    win.focus();
  }

  hide(): void {
    if (this.visible) this.win?.hide();
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }
}

export class Dashboard<W extends WindowPort> {
  private win?: W;

  constructor(
    private readonly deps: {
      create(): W;
      load(win: W, hash?: string): Promise<void>;
      /** an app without a Dock icon must take focus explicitly to bring its window forward */
      focusApp(): void;
      onError?: (err: unknown) => void;
      log?: Logger;
    },
  ) {}

  get window(): W | undefined {
    return this.win && !this.win.isDestroyed() ? this.win : undefined;
  }

  /** Opens the dashboard, or brings it forward; `section` becomes the URL hash. */
  open(section?: string): void {
    const existing = this.window;
    if (existing) {
      if (section) this.deps.load(existing, section).catch((err: unknown) => this.deps.onError?.(err));
      existing.show();
      existing.focus();
      this.deps.focusApp();
      return;
    }
    const win = this.deps.create();
    this.win = win;
    reloadWhenGone(win.webContents, this.deps.log ?? silentLogger, 'dashboard');
    win.once('ready-to-show', () => {
      win.show();
      this.deps.focusApp();
    });
    win.on('closed', () => {
      if (this.win === win) this.win = undefined;
    });
    this.deps.load(win, section).catch((err: unknown) => this.deps.onError?.(err));
  }
}

/** Escape with no modifier, pressed (not released). An open sheet in the page closes on it as well. */
function isPlainEscape(input: KeyInput): boolean {
  return (
    input.type === 'keyDown' &&
    input.key === 'Escape' &&
    !input.meta &&
    !input.control &&
    !input.alt &&
    !input.shift
  );
}
