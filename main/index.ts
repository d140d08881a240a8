// The Electron composition of the main process: the core comes from the one composition root
// (app/core/compose.ts) given Electron's adapters (electron-store, safeStorage, notifications, the login
// item); this file adds only the shell over it: tray, popover, dashboard, IPC, security, lifecycle.
// Everything it wires is tested on its own; index.test.ts runs this whole file against a fake
// `electron` module. It starts itself only inside Electron.
import {
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
  type NativeImage,
  type WebContents,
} from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Notice } from '../app/contract/values.js';
import { composeCore } from '../app/core/compose.js';
import { devServerOrigin, isTrustedRendererUrl } from '../app/shell/trusted-url.js';
import { defaultPaths } from '../app/settings/paths.js';
import { messageOf } from '../app/util/errors.js';
import { toCallError } from '../app/contract/envelope.js';
import type { BuildEngine } from '../app/service/mirror-service.js';
import type { UpstreamWatchOptions } from '../app/service/upstream.js';
import { e2eHooks } from './e2e-hooks.js';
import { createEventSender, registerCalls } from './ipc.js';
import {
  claimSingleInstance,
  loginItemState,
  QuitController,
  recheckOnWake,
  setLoginItem,
  stayInMenuBar,
} from './lifecycle.js';
import { launch } from './launch.js';
import { createLogger, fileSink } from './log.js';
import {
  Dashboard,
  dashboardWindowOptions,
  Popover,
  popoverWindowOptions,
  rendererLoader,
} from './popover.js';
import { CredentialVault, privateFileStore } from './secrets.js';
import { guardContents, hardenSession, secureWebPreferences } from './security.js';
import { ElectronSettingsFile } from './settings-store.js';
import { TrayController } from './tray.js';

export interface ShellOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** the directory holding out/ and assets/ (the app root, or app.asar when packaged) */
  root?: URL;
  buildEngine?: BuildEngine;
  /** how the upstream is probed (default: GET /v2/ from this machine) */
  probeUpstream?: UpstreamWatchOptions['probe'];
  logSink?: (line: string) => void;
}

export type Shell = NonNullable<Awaited<ReturnType<typeof startApp>>>;

export async function startApp(opts: ShellOptions = {}) {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const root = opts.root ?? new URL('../../', import.meta.url);
  const rendererFile = fileURLToPath(new URL('out/renderer/index.html', root));
  const preloadFile = fileURLToPath(new URL('out/preload/preload.cjs', root));
  const assetsDir = fileURLToPath(new URL('assets/', root));

  // A second launch opens the popover; it exists only once the app is ready.
  const second = { launch: () => {} };
  if (!claimSingleInstance(app, () => second.launch())) return undefined;
  await app.whenReady();
  // Packaged builds have no Dock icon through LSUIElement; an unpackaged run hides it here.
  if (!app.isPackaged) app.dock?.hide();
  const menuBar = stayInMenuBar(app); // Cmd+W and closed windows never quit the app

  const log = createLogger(opts.logSink ?? fileSink(app.getPath('logs'), !app.isPackaged));
  const configDir = defaultPaths(env).configDir;
  const origin = { rendererFile, ...(app.isPackaged ? {} : { devServerUrl: env.DRPC_RENDERER_URL }) };
  const isTrustedUrl = (url: string) => isTrustedRendererUrl(url, origin);

  hardenSession(session.defaultSession, log, {
    isTrustedUrl,
    devServerOrigin: devServerOrigin(origin.devServerUrl),
  });
  app.on('web-contents-created', (_event, contents: WebContents) =>
    guardContents(contents, isTrustedUrl, (url) => void shell.openExternal(url), log),
  );

  const file = new ElectronSettingsFile(configDir);
  const core = await composeCore({
    settingsFile: file,
    vault: new CredentialVault(safeStorage, privateFileStore(join(configDir, 'credentials.json')), log),
    notify: (n: Notice) => {
      if (Notification.isSupported()) new Notification({ title: n.title, body: n.message }).show();
    },
    log,
    env,
    platform,
    ...(opts.buildEngine ? { buildEngine: opts.buildEngine } : {}),
    ...(opts.probeUpstream ? { probeUpstream: opts.probeUpstream } : {}),
    loginItem: {
      get: () => loginItemState(app, platform),
      set(openAtLogin) {
        const state = setLoginItem(app, openAtLogin, platform);
        trayController.update({ openAtLogin: state.openAtLogin });
        return state;
      },
    },
    openDashboard: () => dashboard.open(),
    quit: (stopMirror) => quit.quit(stopMirror),
  });
  const { mirror, settings, notices, cache, upstream, engines, loginItem } = core;

  const webPreferences = secureWebPreferences(preloadFile, !app.isPackaged);
  const load = rendererLoader(rendererFile, devServerOrigin(origin.devServerUrl));
  const windows = new Set<BrowserWindow>();
  const track = (win: BrowserWindow) => {
    windows.add(win);
    win.on('closed', () => windows.delete(win));
    return win;
  };
  const onLoadError = (err: unknown) => log.error('the renderer failed to load', { message: messageOf(err) });
  const icon = (name: string): NativeImage => nativeImage.createFromPath(join(assetsDir, `${name}.png`));
  const tray = new Tray(icon('tray-startingTemplate'));
  const popover = new Popover({
    create: () => track(new BrowserWindow(popoverWindowOptions(webPreferences))),
    load: (win) => load(win),
    screen,
    anchor: () => tray.getBounds(),
    isQuitting: () => menuBar.quitting,
    onError: onLoadError,
    log,
  });
  const dashboard = new Dashboard({
    create: () => track(new BrowserWindow(dashboardWindowOptions(webPreferences))),
    load,
    focusApp: () => app.focus({ steal: true }),
    onError: onLoadError,
    log,
  });

  const unregister = { calls: () => {} };
  const quit = new QuitController({
    app,
    stopsMirrorByDefault: () => settings.current.app.quitStopsMirror,
    stopMirror: () => mirror.down(),
    cleanup: () => {
      void core.dispose(); // the lock and socket go in the background: a dead owner's are taken over anyway
      unregister.calls();
    },
    log,
  });
  // A failure of something started from the menu has no window to show it in: it becomes a notice.
  const report = (what: string) => (err: unknown) =>
    notices.raise({
      kind: 'operation-failed',
      level: 'error',
      title: `${what} failed`,
      message: toCallError(err).message,
    });
  const trayController = new TrayController<NativeImage, Menu>({
    tray,
    icon,
    buildMenu: (template) => Menu.buildFromTemplate(template),
    onClick: (bounds) => popover.toggle(bounds),
    actions: {
      start: () => void mirror.up().catch(report('Starting the mirror')),
      stop: () => void mirror.down().catch(report('Stopping the mirror')),
      verify: () => {
        popover.show();
        void mirror.verify().catch(report('Verifying the mirror'));
      },
      'configure-docker': () => dashboard.open('configure'),
      'open-dashboard': () => dashboard.open(),
      'toggle-login-item': () =>
        void loginItem.set(!loginItem.get().openAtLogin).catch(report('Open at login')),
      quit: () => quit.quit(),
    },
  });

  core.events.subscribe(
    createEventSender(() => [...windows].filter((w) => !w.isDestroyed()).map((w) => w.webContents), log),
  );
  unregister.calls = registerCalls(
    ipcMain,
    core.handlers,
    {
      isOurWebContents: (contents) =>
        [...windows].some((w) => !w.isDestroyed() && w.webContents.id === contents.id),
      isTrustedUrl,
    },
    log,
  );

  // The core sends the events and applies settings changes; the tray follows them here.
  mirror.on('status', (status) => trayController.update({ status }));
  mirror.on('operation', (operation) => trayController.update({ operation }));
  settings.on('changed', (next, prev) => {
    trayController.update({ quitStopsMirror: next.app.quitStopsMirror });
    if (next.app.startAtLogin !== prev.app.startAtLogin) {
      trayController.update({ openAtLogin: setLoginItem(app, next.app.startAtLogin, platform).openAtLogin });
    }
  });
  recheckOnWake(powerMonitor, () => void mirror.refresh().catch(() => {}));

  trayController.update({
    openAtLogin: loginItem.get().openAtLogin,
    quitStopsMirror: settings.current.app.quitStopsMirror,
  });
  popover.window(); // created hidden now, so the first click opens it at once
  second.launch = () => popover.show();
  await core.start();
  void core.launch().catch(report('Starting the mirror'));
  log.info('started', { version: app.getVersion(), settings: file.location });

  const shellParts = {
    core,
    tray: trayController,
    popover,
    dashboard,
    mirror,
    settings,
    notices,
    quit,
    windows,
    cache,
    upstream,
    engines,
  };
  if (env.DRPC_E2E === '1' && !app.isPackaged) globalThis.__drpcE2E = e2eHooks(trayController, popover, tray);
  return shellParts;
}

// Started by Electron: Homebrew's PATH, and a failure shown in a dialog and the log (launch.ts).
if (process.versions.electron && !process.env.VITEST) {
  void launch(() => startApp(), { app, dialog, clipboard, env: process.env, platform: process.platform });
}
