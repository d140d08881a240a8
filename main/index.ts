// The composition root of the Electron main process: builds every piece over the real Electron APIs
// and wires them together. Everything it wires is tested on its own; index.test.ts runs this whole
// file against a fake `electron` module. It starts itself only inside Electron.
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
import { shouldStartOnLaunch } from '../app/shell/notices.js';
import { devServerOrigin, isTrustedRendererUrl } from '../app/shell/trusted-url.js';
import { jsonFileStore } from '../app/settings/json-file.js';
import { defaultPaths } from '../app/settings/paths.js';
import { messageOf } from '../app/util/errors.js';
import { toCallError } from '../app/contract/envelope.js';
import { DockerMachine } from '../app/configure/machine/cli.js';
import { EngineUndoStore } from '../app/configure/undo-store.js';
import { CacheRuntime } from '../app/service/cache-runtime.js';
import { EnginesRuntime } from '../app/service/engines-runtime.js';
import { CacheHistory } from '../app/service/history.js';
import { UpstreamWatch, type UpstreamWatchOptions } from '../app/service/upstream.js';
import { e2eHooks } from './e2e-hooks.js';
import { createHandlers } from './handlers.js';
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
import { MirrorService, realEngine, type BuildEngine } from './mirror-service.js';
import { Notices } from './notifications.js';
import {
  Dashboard,
  dashboardWindowOptions,
  Popover,
  popoverWindowOptions,
  rendererLoader,
} from './popover.js';
import { CredentialVault, privateFileStore } from './secrets.js';
import { guardContents, hardenSession, secureWebPreferences } from './security.js';
import { ElectronSettingsFile, loadOrReset, SettingsService } from './settings-store.js';
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
  const loaded = await loadOrReset(file, log, { env });
  const settings = new SettingsService(file, loaded.settings);
  const notices = new Notices({
    notify: (n: Notice) => {
      if (Notification.isSupported()) new Notification({ title: n.title, body: n.message }).show();
    },
  });
  const vault = new CredentialVault(safeStorage, privateFileStore(join(configDir, 'credentials.json')), log);
  const mirror = new MirrorService({
    // The keeper probes the upstream through the UpstreamWatch: one probe for the mode and the header.
    build: opts.buildEngine ?? realEngine(env, undefined, undefined, { probe: () => upstream.check() }),
    credentials: () =>
      vault.reveal().catch((err: unknown) => {
        notices.raise({
          kind: 'operation-failed',
          level: 'error',
          title: 'Credentials unavailable',
          message: messageOf(err),
        });
        return null;
      }),
    log,
  });

  const cache = new CacheRuntime({
    mirror,
    history: new CacheHistory(jsonFileStore(join(configDir, 'cache-history.json'))),
    log,
    onUsage: (bytes) => notices.reportCacheUsage(bytes, settings.current.app.quotaBytes),
  });
  const upstream = new UpstreamWatch({
    url: () => settings.current.mirror.upstreamUrl,
    ...(opts.probeUpstream ? { probe: opts.probeUpstream } : {}),
  });
  const engines = new EnginesRuntime({
    detectOptions: async () => ({
      mirrorUrl: mirror.current?.mirrorUrl ?? `http://localhost:${settings.current.mirror.port}`,
      port: settings.current.mirror.port,
      env,
      ...(env.HOME ? { home: env.HOME } : {}),
      platform,
      dockerMachine: new DockerMachine({ env }),
    }),
    // The undo records live in the settings file, where the CLI keeps them too.
    undo: new EngineUndoStore(file),
    settings: () => settings.current.mirror,
    credentials: () => vault.reveal().catch(() => null),
  });

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

  const loginItem = {
    get: () => loginItemState(app, platform),
    async set(openAtLogin: boolean) {
      const state = setLoginItem(app, openAtLogin, platform);
      if (settings.current.app.startAtLogin !== openAtLogin)
        await settings.update({ app: { startAtLogin: openAtLogin } });
      if (state.status === 'requires-approval') {
        notices.raise({
          kind: 'login-item-approval',
          level: 'info',
          title: 'Approve opening at login',
          message: state.message,
        });
      }
      trayController.update({ openAtLogin: state.openAtLogin });
      return state;
    },
  };
  const unregister = { calls: () => {} };
  const quit = new QuitController({
    app,
    stopsMirrorByDefault: () => settings.current.app.quitStopsMirror,
    stopMirror: () => mirror.down(),
    cleanup: () => {
      cache.stop();
      upstream.stop();
      mirror.dispose();
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

  const send = createEventSender(
    () => [...windows].filter((w) => !w.isDestroyed()).map((w) => w.webContents),
    log,
  );
  unregister.calls = registerCalls(
    ipcMain,
    createHandlers({
      mirror,
      settings,
      credentials: vault,
      credentialsChanged: () => mirror.configure(settings.current.mirror),
      loginItem,
      openDashboard: () => dashboard.open(),
      quit: (stopMirror) => quit.quit(stopMirror),
      notices,
      cache,
      upstream,
      engines,
    }),
    {
      isOurWebContents: (contents) =>
        [...windows].some((w) => !w.isDestroyed() && w.webContents.id === contents.id),
      isTrustedUrl,
    },
    log,
  );

  mirror.on('status', (status) => {
    trayController.update({ status });
    notices.observeStatus(status, mirror.userInitiated);
    send('mirror.status', status);
  });
  mirror.on('operation', (operation) => {
    trayController.update({ operation });
    send('mirror.operation', operation);
  });
  mirror.on('progress', (progress) => send('mirror.progress', progress));
  mirror.on('keeper', (event) => send('mirror.keeper', event));
  notices.on('notice', (notice) => send('notice', notice));
  cache.on('progress', (progress) => send('cache.progress', progress));
  cache.on('changed', (change) => send('cache.changed', change));
  upstream.on('change', (state) => send('upstream.status', state));
  engines.on('step', (step) => send('engines.step', step));
  settings.on('changed', (next, prev) => {
    send('settings.changed', next);
    trayController.update({ quitStopsMirror: next.app.quitStopsMirror });
    if (JSON.stringify(next.mirror) !== JSON.stringify(prev.mirror)) void mirror.configure(next.mirror);
    if (next.mirror.upstreamUrl !== prev.mirror.upstreamUrl) void upstream.check();
    if (next.app.startAtLogin !== prev.app.startAtLogin) {
      trayController.update({ openAtLogin: setLoginItem(app, next.app.startAtLogin, platform).openAtLogin });
    }
  });
  recheckOnWake(powerMonitor, () => void mirror.refresh().catch(() => {}));

  if (loaded.notice) notices.raise(loaded.notice);
  trayController.update({
    openAtLogin: loginItem.get().openAtLogin,
    quitStopsMirror: settings.current.app.quitStopsMirror,
  });
  popover.window(); // created hidden now, so the first click opens it at once
  second.launch = () => popover.show();
  await mirror.configure(settings.current.mirror);
  cache.start();
  upstream.start();
  void mirror
    .refresh()
    .then((status) =>
      shouldStartOnLaunch(status, settings.current.app.startMirrorOnLaunch) ? mirror.up() : undefined,
    )
    .catch(report('Starting the mirror'));
  log.info('started', { version: app.getVersion(), settings: file.location });

  const shellParts = {
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
