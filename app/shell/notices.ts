// Which status changes deserve a notification: the mirror stopping when nobody asked it to, Docker
// going away, the cache growing past its quota. Pure; main/notifications.ts shows them.
import type { Allowance, Notice } from '../contract/values.js';
import type { MirrorState, MirrorStatus } from '../mirror/status.js';
import { formatBytes } from '../util/format.js';

export type NoticeDraft = Omit<Notice, 'id' | 'at'>;

const UP: readonly MirrorState[] = ['running', 'starting', 'unhealthy'];
const DOWN: readonly MirrorState[] = ['stopped', 'crash-looping', 'not-created', 'image-missing'];

export interface TransitionContext {
  /** the user (tray, UI or quit) is stopping or recreating the mirror right now */
  userInitiated: boolean;
}

export function statusNotices(
  prev: MirrorStatus | undefined,
  next: MirrorStatus,
  ctx: TransitionContext,
): NoticeDraft[] {
  const out: NoticeDraft[] = [];
  if (next.state === 'engine-unreachable' && prev?.state !== 'engine-unreachable') {
    out.push({
      kind: 'docker-not-running',
      level: 'warning',
      title: 'Docker is not running',
      message: 'Start Docker. The mirror comes back when Docker does; what is cached stays on disk.',
    });
  }
  // Saved settings the app applied by itself: the keeper recreated the container (to switch between
  // proxy and offline, or to bring it back) from the settings as saved. The address may have moved.
  if (
    !ctx.userInitiated &&
    prev?.container &&
    !prev.container.configCurrent &&
    next.container?.configCurrent &&
    // recreated: settings saved back to what runs also make it current, with nothing applied
    next.container.id !== prev.container.id &&
    UP.includes(next.state)
  ) {
    const was = prev.container.hostPort;
    const now = next.container.hostPort;
    out.push({
      kind: 'settings-applied',
      level: 'info',
      title: 'Saved settings now in effect',
      message:
        `The mirror was recreated${next.mode ? ` (${next.mode === 'offline' ? 'to serve offline' : 'to proxy again'})` : ''} ` +
        `with the settings as saved, and serves at ${next.mirrorUrl}.` +
        (was && now && was !== now
          ? ` It no longer answers on port ${was}: engines that list that address need configuring again.`
          : ''),
    });
  }
  if (prev && UP.includes(prev.state) && DOWN.includes(next.state) && !ctx.userInitiated) {
    out.push({
      kind: 'mirror-stopped',
      level: 'error',
      title:
        next.state === 'crash-looping' ? 'The mirror keeps restarting' : 'The mirror stopped unexpectedly',
      message: next.message,
    });
  }
  return out;
}

/** Over quota is told once per crossing: again only after usage went back under it. */
export function quotaNotice(
  usedBytes: number,
  quotaBytes: number | null,
  wasOver: boolean,
): { over: boolean; notice?: NoticeDraft } {
  const over = quotaBytes !== null && usedBytes > quotaBytes;
  if (!over || wasOver) return { over };
  return {
    over,
    notice: {
      kind: 'over-quota',
      level: 'warning',
      title: 'The cache is over its quota',
      message: `The cache uses ${formatBytes(usedBytes)}, more than its quota of ${formatBytes(quotaBytes)}.`,
    },
  };
}

/**
 * The notices a status shows to be over: Docker answers again, the mirror serves again. A notice is tied
 * to its condition: main retires these, and the UI hides them at once from the status it already has.
 */
export function resolvedNoticeKinds(status: MirrorStatus): Notice['kind'][] {
  const kinds: Notice['kind'][] = [];
  if (status.engine.reachable) kinds.push('docker-not-running');
  if (status.state === 'running' || status.state === 'starting') kinds.push('mirror-stopped');
  return kinds;
}

/** The notices still worth showing with this status (all of them while the status is unknown). */
export function currentNotices(notices: Notice[], status: MirrorStatus | undefined): Notice[] {
  if (!status) return notices;
  const resolved = resolvedNoticeKinds(status);
  return notices.filter((n) => !resolved.includes(n.kind));
}

/** Start the mirror at launch only from states where nobody else decided it should be off. */
export function shouldStartOnLaunch(status: MirrorStatus, startMirrorOnLaunch: boolean): boolean {
  // A crash-looping, unhealthy or port-blocked mirror needs a person; a running one is left alone.
  return startMirrorOnLaunch && ['stopped', 'not-created', 'image-missing'].includes(status.state);
}

/** Low: at most a tenth of the window's pulls left (and never more than 10). */
export function allowanceLow(a: Allowance): boolean {
  return a.remaining <= Math.min(10, Math.ceil(a.limit / 10));
}

/** Whose allowance it is and its window in hours, as the notice and the Disk view say them. */
export function allowanceTerms(a: Allowance): { whose: string; hours: number } {
  return {
    whose: a.as === 'account' ? 'your account' : 'this network',
    hours: Math.round(a.windowSeconds / 360) / 10,
  };
}

/** Docker Hub's allowance running out is told once per crossing: again only after it recovered. */
export function allowanceNotice(
  allowance: Allowance,
  wasLow: boolean,
): { low: boolean; notice?: NoticeDraft } {
  const low = allowanceLow(allowance);
  if (!low || wasLow) return { low };
  const { whose, hours } = allowanceTerms(allowance);
  return {
    low,
    notice: {
      kind: 'allowance-low',
      level: 'warning',
      title: 'Docker Hub pulls almost used up',
      message:
        `${allowance.remaining} of ${allowance.limit} pulls left for ${whose} in this ${hours}-hour window. ` +
        'Images already in the cache still pull from it; new ones may be refused until the window moves on.' +
        (allowance.as === 'anonymous' ? ' A Docker Hub account (Settings) raises the limit.' : ''),
    },
  };
}
