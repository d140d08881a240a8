// Which status changes deserve a notification: the mirror stopping when nobody asked it to, Docker
// going away, the cache growing past its quota. Pure; main/notifications.ts shows them.
import type { Notice } from '../contract/values.js';
import type { MirrorState, MirrorStatus } from '../mirror/status.js';

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
      message: `${next.message}. The mirror comes back when Docker does.`,
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

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** Start the mirror at launch only from states where nobody else decided it should be off. */
export function shouldStartOnLaunch(status: MirrorStatus, startMirrorOnLaunch: boolean): boolean {
  // A crash-looping, unhealthy or port-blocked mirror needs a person; a running one is left alone.
  return startMirrorOnLaunch && ['stopped', 'not-created', 'image-missing'].includes(status.state);
}
