// A stand-in for the `electron` module in tests (vi.mock('electron', () => import('./testing/fake-electron.js'))):
// just enough behaviour of each API main uses, and a record of what was done with it. Where main's
// correctness depends on what Electron does by itself (quitting when the last window closes, the
// default menu's Cmd+W, permission checks before a clipboard write, a renderer that dies), the fake
// does what Electron's documentation says, cited beside each (electronjs.org/docs/latest/api/...,
// the same text as the doc comments in node_modules/electron/electron.d.ts).
import { EventEmitter } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

let nextId = 1;

export class FakeWebFrameMain {
  readonly frameToken = `frame-${nextId++}`;
  constructor(
    public url: string,
    public parent: FakeWebFrameMain | null = null,
  ) {}
}

export class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  mainFrame = new FakeWebFrameMain('about:blank');
  sent: { channel: string; payload: unknown }[] = [];
  destroyed = false;
  windowOpenHandler?: (details: { url: string }) => { action: string };
  /** the window whose page this is, to reload it */
  owner?: BrowserWindow;
  reloads = 0;
  gone = false;
  reload() {
    this.reloads++;
    this.gone = false;
  }
  /**
   * What `navigator.clipboard.writeText(text)` in this page does. Chromium asks for the
   * 'clipboard-sanitized-write' permission (session.md, setPermissionRequestHandler's list of
   * permissions); Electron's session docs: "Most web APIs do a permission check and then make a
   * permission request if the check is denied", and with no handler set, every permission is granted.
   * Refused, the promise rejects with NotAllowedError, as in a browser.
   */
  async clipboardWriteText(text: string, frame: FakeWebFrameMain = this.mainFrame): Promise<void> {
    if (this.gone) throw new Error('the renderer process is gone');
    const granted = await session.defaultSession.askPermission(this, 'clipboard-sanitized-write', frame);
    if (!granted) throw new DOMException('Write permission denied.', 'NotAllowedError');
    clipboard.text = text;
  }
  /**
   * A key press in the page: 'before-input-event' comes first (web-contents.md: "Emitted before
   * dispatching the keydown and keyup events in the page. Calling event.preventDefault will prevent
   * the page keydown/keyup events and the menu shortcuts."); then, unless prevented, the application
   * menu's accelerators (the default menu's Close is Cmd+W, see Menu below).
   */
  pressKey(
    key: string,
    modifiers: { meta?: boolean; control?: boolean; shift?: boolean; alt?: boolean } = {},
  ) {
    let prevented = false;
    const input = {
      type: 'keyDown',
      key,
      meta: false,
      control: false,
      shift: false,
      alt: false,
      ...modifiers,
    };
    this.emit('before-input-event', { preventDefault: () => (prevented = true) }, input);
    if (prevented) return { prevented };
    const accelerator = `${modifiers.meta ? 'CmdOrCtrl+' : ''}${key.length === 1 ? key.toUpperCase() : key}`;
    Menu.sendAccelerator(accelerator);
    return { prevented };
  }
  /**
   * The renderer process dies (killed, crashed, out of memory). web-contents.md, Event:
   * 'render-process-gone' (event, details: RenderProcessGoneDetails {reason, exitCode}): the page is
   * blank until something reloads it; nothing in Electron reloads it by itself.
   */
  crash(reason: 'crashed' | 'killed' | 'oom' | 'clean-exit' = 'crashed') {
    this.gone = true;
    this.emit('render-process-gone', {}, { reason, exitCode: reason === 'clean-exit' ? 0 : 1 });
  }
  send(channel: string, payload: unknown) {
    this.sent.push({ channel, payload });
  }
  isDestroyed() {
    return this.destroyed;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = handler;
  }
  getURL() {
    return this.mainFrame.url;
  }
}

export class BrowserWindow extends EventEmitter {
  static all: BrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  visible = false;
  destroyed = false;
  bounds = { x: 0, y: 0, width: 0, height: 0 };
  static focused: BrowserWindow | null = null;
  constructor(readonly options: { width?: number; height?: number }) {
    super();
    this.webContents.owner = this;
    BrowserWindow.all.push(this);
    this.bounds = { ...this.bounds, width: Number(options.width ?? 0), height: Number(options.height ?? 0) };
    queueMicrotask(() => this.emit('ready-to-show'));
  }
  static getAllWindows() {
    return BrowserWindow.all.filter((w) => !w.destroyed);
  }
  static getFocusedWindow() {
    const w = BrowserWindow.focused;
    return w && !w.destroyed && w.visible ? w : null;
  }
  async loadFile(path: string, options?: { hash?: string }) {
    this.webContents.mainFrame.url = pathToFileURL(path).href + (options?.hash ? `#${options.hash}` : '');
  }
  async loadURL(url: string) {
    this.webContents.mainFrame.url = url;
  }
  show() {
    this.visible = true;
  }
  hide() {
    this.visible = false;
    if (BrowserWindow.focused === this) BrowserWindow.focused = null;
  }
  focus() {
    BrowserWindow.focused = this;
  }
  allWorkspaces = false;
  setVisibleOnAllWorkspaces(visible: boolean) {
    this.allWorkspaces = visible;
  }
  isVisible() {
    return this.visible;
  }
  isDestroyed() {
    return this.destroyed;
  }
  setBounds(b: Partial<typeof this.bounds>) {
    this.bounds = { ...this.bounds, ...b };
  }
  getBounds() {
    return this.bounds;
  }
  /**
   * browser-window.md: close() "Try to close the window. This has the same effect as a user manually
   * clicking the close button of the window." Event 'close': "Calling event.preventDefault() will
   * cancel the close." Then 'closed'; and when it was the last window, app 'window-all-closed'
   * (see FakeApp.lastWindowClosed). Returns whether it closed.
   */
  close(): boolean {
    if (this.destroyed) return true;
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (prevented) return false;
    this.destroy();
    if (!app.quitting && BrowserWindow.getAllWindows().length === 0) app.lastWindowClosed();
    return true;
  }
  /** browser-window.md: destroy() "Force closing the window, the unload and beforeunload event won't be emitted". */
  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    if (BrowserWindow.focused === this) BrowserWindow.focused = null;
    this.emit('closed');
  }
}

export class Tray extends EventEmitter {
  static all: Tray[] = [];
  image: unknown;
  title = '';
  tooltip = '';
  popups: unknown[] = [];
  ignoreDoubleClick = false;
  constructor(image: unknown) {
    super();
    this.image = image;
    Tray.all.push(this);
  }
  setImage(image: unknown) {
    this.image = image;
  }
  setTitle(title: string) {
    this.title = title;
  }
  setToolTip(tooltip: string) {
    this.tooltip = tooltip;
  }
  getBounds() {
    return { x: 1200, y: 0, width: 24, height: 24 };
  }
  popUpContextMenu(menu?: unknown) {
    this.popups.push(menu);
  }
  /**
   * tray.md, setIgnoreDoubleClickEvents (macOS): "Ignoring these events allows you to detect every
   * individual click of the tray icon. This value is set to false by default." Not ignored, the second
   * click of a quick pair is a 'double-click' event and no 'click'.
   */
  setIgnoreDoubleClickEvents(ignore: boolean) {
    this.ignoreDoubleClick = ignore;
  }
  getIgnoreDoubleClickEvents() {
    return this.ignoreDoubleClick;
  }
  /** Two clicks on the icon in quick succession. */
  doubleClick() {
    this.emit('click', {}, this.getBounds());
    this.emit(this.ignoreDoubleClick ? 'click' : 'double-click', {}, this.getBounds());
  }
}

interface FakeMenuItem {
  label?: string;
  enabled?: boolean;
  checked?: boolean;
  type?: string;
  role?: string;
  accelerator?: string;
  click?: () => void;
  submenu?: FakeMenuItem[];
}
type FakeMenu = { items: FakeMenuItem[] };

/**
 * menu.md, "Default menu": an app that sets no application menu gets a default one; on macOS its
 * Window menu holds the 'close' role on Cmd+W ("close - Close current window", menu-item.md roles)
 * and the app menu 'quit' on Cmd+Q. Only the items that matter here.
 */
const DEFAULT_MENU: FakeMenu = {
  items: [
    { label: 'Electron', submenu: [{ role: 'quit', accelerator: 'CmdOrCtrl+Q' }] },
    {
      label: 'Window',
      submenu: [
        { role: 'minimize', accelerator: 'CmdOrCtrl+M' },
        { role: 'close', accelerator: 'CmdOrCtrl+W' },
      ],
    },
  ],
};

export const Menu = {
  applicationMenu: DEFAULT_MENU as FakeMenu | null,
  buildFromTemplate(template: FakeMenuItem[]): FakeMenu {
    return { items: template.map((t) => ({ enabled: true, ...t })) };
  },
  getApplicationMenu() {
    return this.applicationMenu;
  },
  setApplicationMenu(menu: FakeMenu | null) {
    this.applicationMenu = menu;
  },
  /** A shortcut typed in a focused window of ours: the application menu's item with that accelerator acts. */
  sendAccelerator(accelerator: string): boolean {
    const find = (items: FakeMenuItem[]): FakeMenuItem | undefined => {
      for (const item of items) {
        if (item.accelerator === accelerator && item.enabled !== false) return item;
        const inner = item.submenu && find(item.submenu);
        if (inner) return inner;
      }
      return undefined;
    };
    const item = this.applicationMenu && find(this.applicationMenu.items);
    if (!item) return false;
    if (item.click) item.click();
    else if (item.role === 'close') BrowserWindow.getFocusedWindow()?.close();
    else if (item.role === 'quit') app.quit();
    return true;
  },
};

export const nativeImage = {
  createFromPath(path: string) {
    return { path };
  },
};

export const screen = {
  getAllDisplays() {
    return [
      {
        bounds: { x: 0, y: 0, width: 1512, height: 982 },
        workArea: { x: 0, y: 37, width: 1512, height: 870 },
      },
    ];
  },
  getCursorScreenPoint() {
    return { x: 1210, y: 10 };
  },
};

export const powerMonitor = new EventEmitter();

export class Notification {
  static shown: { title: string; body: string }[] = [];
  static isSupported() {
    return true;
  }
  constructor(readonly options: { title: string; body: string }) {}
  show() {
    Notification.shown.push(this.options);
  }
}

export const clipboard = {
  text: '',
  writeText(text: string) {
    this.text = text;
  },
  readText() {
    return this.text;
  },
};

/**
 * dialog.md, showMessageBox(options): resolves with {response: the index of the clicked button,
 * checkboxChecked}; "must only be used after the ready event". Answers with the queued `responses`,
 * else the cancelId (the Esc key) or 0.
 */
export const dialog = {
  shown: [] as { type?: string; title?: string; message: string; detail?: string; buttons?: string[] }[],
  responses: [] as number[],
  async showMessageBox(options: {
    type?: string;
    message: string;
    detail?: string;
    buttons?: string[];
    cancelId?: number;
  }) {
    if (!app.ready) throw new Error('dialog.showMessageBox() must be called after the app is ready');
    this.shown.push(options);
    return { response: this.responses.shift() ?? options.cancelId ?? 0, checkboxChecked: false };
  },
};

/** Reversible and obviously not plain text; never returns the input unchanged. */
export const safeStorage = {
  available: true,
  async isAsyncEncryptionAvailable() {
    return this.available;
  },
  async encryptStringAsync(plain: string) {
    return Buffer.from(`fake-enc:${Buffer.from(plain, 'utf8').reverse().toString('hex')}`);
  },
  async decryptStringAsync(cipher: Buffer) {
    const text = cipher.toString();
    if (!text.startsWith('fake-enc:')) throw new Error('Error while decrypting the ciphertext provided');
    return { result: Buffer.from(text.slice(9), 'hex').reverse().toString('utf8'), shouldReEncrypt: false };
  },
};

type Handler = (event: unknown, ...args: unknown[]) => Promise<unknown>;
export const ipcMain = Object.assign(new EventEmitter(), {
  handlers: new Map<string, Handler>(),
  handle(channel: string, handler: Handler) {
    if (this.handlers.has(channel))
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  },
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  },
  /** What a renderer's ipcRenderer.invoke would do: run the handler with an event from `contents`. */
  async invoke(contents: FakeWebContents, channel: string, ...args: unknown[]) {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler({ sender: contents, senderFrame: contents.mainFrame, frameId: 1, processId: 1 }, ...args);
  },
});

class FakeApp extends EventEmitter {
  isPackaged = false;
  lock = true;
  quitCalls = 0;
  exited = false;
  exitCode: number | undefined;
  quitting = false;
  ready = true;
  dockHidden = false;
  focused = 0;
  loginItem: { openAtLogin: boolean; status: string } = { openAtLogin: false, status: 'not-registered' };
  userData = join(tmpdir(), 'drpc-fake-electron');
  logs = join(tmpdir(), 'drpc-fake-electron-logs');
  dock = { hide: () => (this.dockHidden = true) };
  requestSingleInstanceLock() {
    return this.lock;
  }
  async whenReady() {}
  getPath(name: string) {
    return name === 'logs' ? this.logs : this.userData;
  }
  getVersion() {
    return '0.1.0-test';
  }
  focus() {
    this.focused++;
  }
  getLoginItemSettings() {
    return { ...this.loginItem };
  }
  setLoginItemSettings(s: { openAtLogin?: boolean }) {
    this.loginItem = s.openAtLogin
      ? { openAtLogin: true, status: 'enabled' }
      : { openAtLogin: false, status: 'not-registered' };
  }
  /**
   * app.md, quit(): "Try to close all windows. The before-quit event will be emitted first. If all
   * windows are successfully closed, the will-quit event will be emitted and by default the
   * application will terminate." A window that prevents its 'close' cancels the quit.
   */
  quit() {
    this.quitCalls++;
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (prevented) return;
    this.quitting = true;
    for (const w of BrowserWindow.getAllWindows()) {
      if (!w.close()) {
        this.quitting = false;
        return;
      }
    }
    this.emit('will-quit', { preventDefault: () => {} });
    this.exited = true;
  }
  /**
   * app.md, Event 'window-all-closed': "If you do not subscribe to this event and all windows are
   * closed, the default behavior is to quit the app; however, if you subscribe, you control whether
   * the app quits or not."
   */
  lastWindowClosed() {
    if (this.listenerCount('window-all-closed') > 0) this.emit('window-all-closed');
    else this.quit();
  }
  exit(code = 0) {
    this.exited = true;
    this.exitCode = code;
  }
}

export const app = new FakeApp();

type RequestHandler = (
  contents: FakeWebContents,
  permission: string,
  callback: (granted: boolean) => void,
  details: { requestingUrl: string; isMainFrame: boolean },
) => void;
type CheckHandler = (
  contents: FakeWebContents | null,
  permission: string,
  requestingOrigin: string,
  details: { requestingUrl?: string; isMainFrame: boolean; securityOrigin?: string },
) => boolean;
type HeadersListener = (
  details: { url: string; responseHeaders?: Record<string, string[]> },
  callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
) => void;

/** session.md: the handlers with the arguments Electron passes them. */
export const session = {
  defaultSession: {
    permissionRequestHandler: null as RequestHandler | null,
    permissionCheckHandler: null as CheckHandler | null,
    devicePermissionHandler: null as unknown,
    headersListener: null as HeadersListener | null,
    setPermissionRequestHandler(h: RequestHandler | null) {
      this.permissionRequestHandler = h;
    },
    setPermissionCheckHandler(h: CheckHandler | null) {
      this.permissionCheckHandler = h;
    },
    setDevicePermissionHandler(h: unknown) {
      this.devicePermissionHandler = h;
    },
    webRequest: {
      onHeadersReceived(l: HeadersListener | null) {
        session.defaultSession.headersListener = l;
      },
    },
    /**
     * A web API asking for a permission: "Most web APIs do a permission check and then make a
     * permission request if the check is denied"; no handler set means granted (Electron's default).
     * requestingOrigin is the frame's origin ("file://" for any file page), details.requestingUrl its URL.
     */
    async askPermission(
      contents: FakeWebContents,
      permission: string,
      frame: FakeWebFrameMain,
    ): Promise<boolean> {
      const isMainFrame = frame.parent === null;
      const origin = new URL(frame.url).protocol === 'file:' ? 'file://' : new URL(frame.url).origin;
      if (this.permissionCheckHandler) {
        if (
          this.permissionCheckHandler(contents, permission, origin, {
            requestingUrl: frame.url,
            isMainFrame,
            securityOrigin: origin,
          })
        )
          return true;
      } else return true;
      if (!this.permissionRequestHandler) return true;
      const handler = this.permissionRequestHandler;
      return new Promise((resolve) =>
        handler(contents, permission, resolve, { requestingUrl: frame.url, isMainFrame }),
      );
    },
    /** A response arriving for `url`: the headers the page gets after onHeadersReceived. */
    async respond(url: string, responseHeaders: Record<string, string[]> = {}) {
      const listener = this.headersListener;
      if (!listener) return responseHeaders;
      return new Promise<Record<string, string[]>>((resolve) =>
        listener({ url, responseHeaders }, (r) => resolve(r.responseHeaders ?? responseHeaders)),
      );
    },
  },
};

export const shell = {
  opened: [] as string[],
  async openExternal(url: string) {
    this.opened.push(url);
  },
};

/** Back to a fresh state between tests. */
export function resetFakeElectron(): void {
  BrowserWindow.all = [];
  BrowserWindow.focused = null;
  Tray.all = [];
  Notification.shown = [];
  Menu.applicationMenu = DEFAULT_MENU;
  clipboard.text = '';
  dialog.shown = [];
  dialog.responses = [];
  Object.assign(session.defaultSession, {
    permissionRequestHandler: null,
    permissionCheckHandler: null,
    devicePermissionHandler: null,
    headersListener: null,
  });
  ipcMain.handlers.clear();
  ipcMain.removeAllListeners();
  powerMonitor.removeAllListeners();
  app.removeAllListeners();
  Object.assign(app, {
    isPackaged: false,
    lock: true,
    quitCalls: 0,
    exited: false,
    exitCode: undefined,
    quitting: false,
    ready: true,
    dockHidden: false,
    focused: 0,
    loginItem: { openAtLogin: false, status: 'not-registered' },
  });
  safeStorage.available = true;
  shell.opened = [];
}

const electron = {
  app,
  BrowserWindow,
  clipboard,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  powerMonitor,
  safeStorage,
  screen,
  session,
  shell,
  Tray,
};
export default electron;
