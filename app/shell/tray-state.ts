// What the menu-bar icon shows for a mirror status: one of five template icons, a short title,
// a tooltip, and the context menu's items. Pure; main/tray.ts turns it into Electron calls.
import type { Operation } from '../contract/values.js';
import type { MirrorState, MirrorStatus } from '../mirror/status.js';

export const TRAY_STATES = ['running', 'stopped', 'starting', 'error', 'offline'] as const;
export type TrayState = (typeof TRAY_STATES)[number];

const STATE_OF: Record<MirrorState, TrayState> = {
  running: 'running',
  starting: 'starting',
  stopped: 'stopped',
  'not-created': 'stopped',
  'image-missing': 'stopped',
  'port-in-use': 'error',
  unhealthy: 'error',
  'crash-looping': 'error',
  'engine-unreachable': 'offline',
};

/** `assets/<name>Template.png` (and `@2x`): macOS tints template images for light and dark menu bars. */
export function trayIconName(state: TrayState): string {
  return `tray-${state}Template`;
}

export interface TrayView {
  state: TrayState;
  icon: string;
  /** next to the icon in the menu bar: a word or two */
  title: string;
  tooltip: string;
}

const TITLES: Record<TrayState, string> = {
  running: 'Running',
  stopped: 'Stopped',
  starting: 'Starting…',
  error: 'Error',
  offline: 'Offline',
};

export function trayView(status: MirrorStatus | undefined, operation: Operation): TrayView {
  let state: TrayState = status ? STATE_OF[status.state] : 'starting';
  let title = TITLES[state];
  if (!status) title = 'Checking…';
  if (operation === 'up' || operation === 'restart') {
    state = 'starting';
    title = TITLES.starting;
  } else if (operation === 'down') {
    state = 'starting';
    title = 'Stopping…';
  } else if (operation === 'verify') {
    title = 'Verifying…';
  }
  const lines = [`Docker Hub mirror: ${title.replace('…', '').toLowerCase()}`];
  if (status) lines.push(status.message);
  if (status?.state === 'running') lines.push(`registry mirror: ${status.mirrorUrl}`);
  return { state, icon: trayIconName(state), title, tooltip: lines.join('\n') };
}

export type TrayAction =
  'start' | 'stop' | 'verify' | 'configure-docker' | 'open-dashboard' | 'toggle-login-item' | 'quit';

export type MenuModelItem =
  | { kind: 'header'; label: string }
  | { kind: 'separator' }
  | { kind: 'action'; action: TrayAction; label: string; enabled: boolean }
  | { kind: 'checkbox'; action: TrayAction; label: string; checked: boolean };

export interface MenuInput {
  status: MirrorStatus | undefined;
  operation: Operation;
  openAtLogin: boolean;
  /** whether the quit item also stops the mirror (the quitStopsMirror setting) */
  quitStopsMirror: boolean;
}

// States where the container exists and runs (or tries to): the toggle offers Stop.
const STOPPABLE: readonly MirrorState[] = ['running', 'starting', 'unhealthy', 'crash-looping'];

export function trayMenuModel(input: MenuInput): MenuModelItem[] {
  const { status, operation } = input;
  const view = trayView(status, operation);
  const idle = operation === null;
  const reachable = status?.engine.reachable ?? false;
  const stoppable = !!status && STOPPABLE.includes(status.state);
  const header =
    status?.state === 'running'
      ? `Mirror ${view.title.toLowerCase()} at ${status.mirrorUrl}`
      : `Mirror: ${view.title.toLowerCase()}`;
  const toggle: MenuModelItem = stoppable
    ? { kind: 'action', action: 'stop', label: 'Stop Mirror', enabled: idle && reachable }
    : { kind: 'action', action: 'start', label: 'Start Mirror', enabled: idle && reachable };
  return [
    { kind: 'header', label: header },
    { kind: 'separator' },
    toggle,
    {
      kind: 'action',
      action: 'verify',
      label: 'Verify Mirror',
      enabled: idle && status?.state === 'running',
    },
    { kind: 'action', action: 'configure-docker', label: 'Configure Docker…', enabled: true },
    { kind: 'separator' },
    { kind: 'action', action: 'open-dashboard', label: 'Open Dashboard…', enabled: true },
    { kind: 'checkbox', action: 'toggle-login-item', label: 'Open at Login', checked: input.openAtLogin },
    { kind: 'separator' },
    {
      kind: 'action',
      action: 'quit',
      label: input.quitStopsMirror ? 'Quit and Stop Mirror' : 'Quit (Mirror Keeps Running)',
      enabled: true,
    },
  ];
}
