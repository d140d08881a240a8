// What each call of the contract does, once, for both hosts: the Electron main process wraps these in
// ipcMain with its caller checks (main/ipc.ts), the browser bridge in HTTP/WebSocket with the same
// input and output schemas (e2e/bridge). The compiler holds this to the contract: a call added to
// app/contract without a handler here does not build. No electron here: the shell's own powers
// (login item, windows, quitting) come in as plain functions.
import type { CredentialsState, LoginItemState, Notice } from '../contract/values.js';
import type { UpstreamCredentials } from '../mirror/settings.js';
import type { AppSettings, SettingsChange } from '../settings/app-settings.js';
import type { CacheRuntime } from './cache-runtime.js';
import type { EnginesRuntime } from './engines-runtime.js';
import type { MirrorService } from './mirror-service.js';
import type { Handlers } from './types.js';
import type { UpstreamWatch } from './upstream.js';

export interface HandlerDeps {
  mirror: Pick<MirrorService, 'refresh' | 'up' | 'down' | 'restart' | 'verify' | 'logs'>;
  settings: { readonly current: AppSettings; update(change: SettingsChange): Promise<AppSettings> };
  credentials: {
    describe(): Promise<CredentialsState>;
    set(input: UpstreamCredentials): Promise<CredentialsState>;
    clear(): Promise<CredentialsState>;
  };
  /** credentials changed: the mirror is rebuilt with them (the container changes on the next up) */
  credentialsChanged(): Promise<void>;
  loginItem: { get(): LoginItemState; set(openAtLogin: boolean): Promise<LoginItemState> };
  openDashboard(): void;
  quit(stopMirror?: boolean): void;
  notices: { all(): Notice[]; dismiss(id: string): Notice[] };
  cache: Pick<CacheRuntime, 'report' | 'tags' | 'plan' | 'prune' | 'reset' | 'history'>;
  upstream: Pick<UpstreamWatch, 'get'>;
  engines: Pick<EnginesRuntime, 'list' | 'configure' | 'undo' | 'createRegistryMachine'>;
}

export function createHandlers(d: HandlerDeps): Handlers {
  return {
    'mirror.status': () => d.mirror.refresh(),
    'mirror.up': () => d.mirror.up(),
    'mirror.down': () => d.mirror.down(),
    'mirror.restart': () => d.mirror.restart(),
    'mirror.verify': async (input) => d.mirror.verify(input?.image),
    'mirror.logs': async (input) => ({ text: await d.mirror.logs(input?.tail) }),
    'settings.get': async () => d.settings.current,
    'settings.update': (change) => d.settings.update(change),
    'credentials.get': () => d.credentials.describe(),
    'credentials.set': async (input) => {
      const state = await d.credentials.set(input);
      await d.credentialsChanged();
      return state;
    },
    'credentials.clear': async () => {
      const state = await d.credentials.clear();
      await d.credentialsChanged();
      return state;
    },
    'app.loginItem.get': async () => d.loginItem.get(),
    'app.loginItem.set': (input) => d.loginItem.set(input.openAtLogin),
    'app.openDashboard': async () => {
      d.openDashboard();
      return null;
    },
    'app.quit': async (input) => {
      // After the reply is on its way: quitting closes the window that asked.
      setImmediate(() => d.quit(input?.stopMirror));
      return null;
    },
    'notices.list': async () => d.notices.all(),
    'notices.dismiss': async (input) => d.notices.dismiss(input.id),
    'cache.report': () => d.cache.report(),
    'cache.tags': (input) => d.cache.tags(input.repository),
    'cache.plan': (input) => d.cache.plan(input.selection),
    'cache.prune': (input) => d.cache.prune(input.planId),
    'cache.reset': (input) => d.cache.reset(input.confirmation),
    'cache.history': () => d.cache.history(),
    'upstream.status': (input) => d.upstream.get(input?.refresh ?? false),
    'engines.list': () => d.engines.list(),
    'engines.configure': (input) => d.engines.configure(input.engine),
    'engines.undo': (input) => d.engines.undo(input.engine),
    'machine.createRegistry': (input) => d.engines.createRegistryMachine(input),
  };
}
