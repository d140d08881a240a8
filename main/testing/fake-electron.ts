// A stand-in for the `electron` module in tests (vi.mock('electron', () => import('./testing/fake-electron.js'))):
// just enough behaviour of each API main uses, and a record of what was done with it.
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
  constructor(readonly options: { width?: number; height?: number }) {
    super();
    BrowserWindow.all.push(this);
    this.bounds = { ...this.bounds, width: Number(options.width ?? 0), height: Number(options.height ?? 0) };
    queueMicrotask(() => this.emit('ready-to-show'));
  }
  static getAllWindows() {
    return BrowserWindow.all.filter((w) => !w.destroyed);
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
  }
  focus() {}
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
  close() {
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

export class Tray extends EventEmitter {
  static all: Tray[] = [];
  image: unknown;
  title = '';
  tooltip = '';
  popups: unknown[] = [];
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
}

export const Menu = {
  buildFromTemplate(
    template: { label?: string; enabled?: boolean; checked?: boolean; type?: string; click?: () => void }[],
  ) {
    return { items: template.map((t) => ({ enabled: true, ...t })) };
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
  dockHidden = false;
  focused = 0;
  loginItem: { openAtLogin: boolean; status: string } = { openAtLogin: false, status: 'not-registered' };
  userData = join(tmpdir(), 'drpc-fake-electron');
  dock = { hide: () => (this.dockHidden = true) };
  requestSingleInstanceLock() {
    return this.lock;
  }
  async whenReady() {}
  getPath(_name: string) {
    return this.userData;
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
  quit() {
    this.quitCalls++;
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.exited = true;
  }
  exit() {
    this.exited = true;
  }
}

export const app = new FakeApp();

export const session = {
  defaultSession: {
    permissionRequestHandler: undefined as unknown,
    setPermissionRequestHandler(h: unknown) {
      this.permissionRequestHandler = h;
    },
    setPermissionCheckHandler(_h: unknown) {},
    setDevicePermissionHandler(_h: unknown) {},
    webRequest: { onHeadersReceived(_l: unknown) {} },
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
  Tray.all = [];
  Notification.shown = [];
  ipcMain.handlers.clear();
  ipcMain.removeAllListeners();
  powerMonitor.removeAllListeners();
  app.removeAllListeners();
  Object.assign(app, {
    isPackaged: false,
    lock: true,
    quitCalls: 0,
    exited: false,
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
