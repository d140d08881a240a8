// What each call of the contract does, over the app's services. The compiler holds this to the
// contract: a call added to app/contract without a handler here does not build.
import type { LoginItemState } from '../app/contract/values.js';
import type { Handlers } from './ipc.js';
import type { MirrorService } from './mirror-service.js';
import type { Notices } from './notifications.js';
import type { CredentialVault } from './secrets.js';
import type { SettingsService } from './settings-store.js';

export interface HandlerDeps {
  mirror: Pick<MirrorService, 'refresh' | 'up' | 'down' | 'restart' | 'verify' | 'logs'>;
  settings: Pick<SettingsService, 'current' | 'update'>;
  credentials: Pick<CredentialVault, 'describe' | 'set' | 'clear'>;
  /** credentials changed: the mirror is rebuilt with them (the container changes on the next up) */
  credentialsChanged(): Promise<void>;
  loginItem: { get(): LoginItemState; set(openAtLogin: boolean): Promise<LoginItemState> };
  openDashboard(): void;
  quit(stopMirror?: boolean): void;
  notices: Pick<Notices, 'all' | 'dismiss'>;
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
  };
}
