// Keeps the mirror in the mode the network allows: proxy while the upstream answers, offline (the same
// storage served read-only, no upstream at all) while it does not. Switching recreates the container
// with the other configuration: about a second, nothing on disk changes, no restart loop.
import { EventEmitter } from 'node:events';
import { repairLinks } from '../cache/repair/links.js';
import { LABELS } from './container-spec.js';
import { mirrorDirs } from './settings.js';
import type { Mirror } from './mirror.js';
import { readCatalog } from './http.js';
import type { MirrorMode } from './registry-config.js';
import type { ProbeResult } from './upstream-probe.js';

export interface ModeChange {
  mode: MirrorMode;
  previous: MirrorMode | 'unknown';
  /** why, for people: "offline: serving 12 cached repositories (upstream: ECONNREFUSED)" */
  message: string;
}

export interface ModeControllerOptions {
  mirrorFor: (mode: MirrorMode) => Mirror;
  probe: () => Promise<ProbeResult>;
  /** how often the upstream is probed */
  intervalMs?: number;
}

export class ModeController extends EventEmitter<{ change: [ModeChange]; error: [Error] }> {
  private timer?: NodeJS.Timeout;
  private running?: Promise<ModeChange | undefined>;
  mode: MirrorMode | 'unknown' = 'unknown';
  lastMessage = '';

  constructor(private readonly o: ModeControllerOptions) {
    super();
  }

  /** The mode the container runs now, from its label (unknown when there is no container). */
  async currentMode(): Promise<MirrorMode | 'unknown'> {
    const info = await this.o.mirrorFor('proxy').inspect();
    const mode = info?.Config.Labels?.[LABELS.mode];
    return mode === 'offline' ? 'offline' : info ? 'proxy' : 'unknown';
  }

  /** Probes once and brings the mirror into the matching mode; resolves with the change, if any. */
  apply(): Promise<ModeChange | undefined> {
    this.running ??= this.applyOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async applyOnce(): Promise<ModeChange | undefined> {
    const probe = await this.o.probe();
    const want: MirrorMode = probe.reachable ? 'proxy' : 'offline';
    // Always read the container: someone may have run `up` in the other mode behind our back.
    const previous = await this.currentMode();
    const running = (await this.o.mirrorFor(want).inspect())?.State.Running;
    if (previous === want && running) {
      this.mode = want;
      return undefined;
    }
    const mirror = this.o.mirrorFor(want);
    // Offline, the registry serves only blobs linked into each repository: link what the proxy never did.
    if (want === 'offline' && !mirror.remoteStorage)
      await repairLinks(mirrorDirs(mirror.settings).data).catch(() => []);
    await mirror.up();
    this.mode = want;
    let message = 'online: pulling through from the upstream';
    if (want === 'offline') {
      const repos = await readCatalog(mirror.baseUrl).catch(() => [] as string[]);
      message = `offline: serving ${repos.length} cached repositor${repos.length === 1 ? 'y' : 'ies'} (upstream: ${probe.reason ?? 'unreachable'})`;
    }
    this.lastMessage = message;
    const change: ModeChange = { mode: want, previous, message };
    this.emit('change', change);
    return change;
  }

  start(): void {
    const tick = () => {
      void this.apply()
        .catch((err: Error) => this.emit('error', err))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.o.intervalMs ?? 5000);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
