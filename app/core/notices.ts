// Notices: things the user should know (settings were reset, the mirror stopped unexpectedly, Docker
// is not running, the cache is over quota). Kept in a list the UI can show and dismiss, sent to the
// renderer as `notice` events, and shown as macOS notifications when they are warnings or errors.
import { EventEmitter } from 'node:events';
import type { Allowance, Notice } from '../contract/values.js';
import type { MirrorStatus } from '../mirror/status.js';
import {
  allowanceNotice,
  quotaNotice,
  resolvedNoticeKinds,
  statusNotices,
  type NoticeDraft,
} from '../shell/notices.js';

export interface NoticesDeps {
  /** shows a system notification (Electron's Notification in the app) */
  notify(notice: Notice): void;
  now?: () => Date;
}

export class Notices extends EventEmitter<{ notice: [Notice] }> {
  private items: Notice[] = [];
  private lastStatus?: MirrorStatus;
  private overQuota = false;
  private allowanceLow = false;
  private counter = 0;

  constructor(private readonly deps: NoticesDeps) {
    super();
  }

  all(): Notice[] {
    return this.items.map((n) => ({ ...n }));
  }

  /** Adds a notice; one of the same kind replaces the older one rather than piling up. */
  raise(draft: NoticeDraft): Notice {
    const at = (this.deps.now?.() ?? new Date()).toISOString();
    const notice: Notice = { ...draft, id: `${draft.kind}-${++this.counter}`, at };
    this.items = [...this.items.filter((n) => n.kind !== draft.kind), notice];
    this.emit('notice', notice);
    if (notice.level !== 'info') this.deps.notify(notice);
    return notice;
  }

  dismiss(id: string): Notice[] {
    this.items = this.items.filter((n) => n.id !== id);
    return this.all();
  }

  /** Feeds a status; raises what the change deserves and retires notices the change resolved. */
  observeStatus(status: MirrorStatus, userInitiated: boolean): void {
    const prev = this.lastStatus;
    this.lastStatus = status;
    for (const kind of resolvedNoticeKinds(status)) this.retire(kind);
    for (const draft of statusNotices(prev, status, { userInitiated })) this.raise(draft);
  }

  /** Called with the cache's size whenever it is measured (by the cache feature). */
  reportCacheUsage(usedBytes: number, quotaBytes: number | null): void {
    const { over, notice } = quotaNotice(usedBytes, quotaBytes, this.overQuota);
    this.overQuota = over;
    if (notice) this.raise(notice);
    if (!over) this.retire('over-quota');
  }

  /** Called with Docker Hub's allowance whenever it is read (by the upstream watch). */
  reportAllowance(allowance: Allowance | undefined): void {
    if (!allowance) return; // not known: nothing to say, and nothing resolved
    const { low, notice } = allowanceNotice(allowance, this.allowanceLow);
    this.allowanceLow = low;
    if (notice) this.raise(notice);
    if (!low) this.retire('allowance-low');
  }

  private retire(kind: Notice['kind']): void {
    this.items = this.items.filter((n) => n.kind !== kind);
  }
}
