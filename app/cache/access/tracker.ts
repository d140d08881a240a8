// Follows the mirror's log through the engine and keeps pull records. The registry writes nothing to
// disk on a cache hit, so its access log is the only witness of a warm pull.
import type Docker from 'dockerode';
import { setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import { readFile, rm } from 'node:fs/promises';
import { demuxLogs } from '../../docker/demux.js';
import type { JsonStore } from '../../settings/json-file.js';
import { parseLogLine } from './log-entry.js';
import { keptLogs, noteReadThrough } from './log-spool.js';
import { AccessFolder, emptyRecords, type AccessRecords } from './records.js';

/** What one batch of log lines told: the repositories it concerned, and whether that is all of it. */
export interface AccessChange {
  /** repositories pulled from, or stored into (sorted, each once) */
  repositories: string[];
  /** false when a line folded in changed something without naming a repository (a failed write) */
  complete: boolean;
}

export interface TrackerOptions {
  /** false while the mirror serves without its upstream (offline mode) */
  isOnline?: () => boolean;
  /** how long changes wait before they are saved */
  saveDelayMs?: number;
  /** the mirror's data dir, where the logs of removed containers were kept (log-spool.ts) */
  dataDir?: string;
}

export class AccessTracker {
  private folder = new AccessFolder();
  private stopped = false;
  private stream?: NodeJS.ReadableStream & { destroy?: () => void };
  private saveTimer?: NodeJS.Timeout;
  private saving = Promise.resolve();
  private listeners = new Set<(change: AccessChange) => void>();
  private folding: Promise<number> = Promise.resolve(0);

  constructor(
    private readonly docker: Docker,
    private readonly containerName: string,
    private readonly store: JsonStore,
    private readonly opts: TrackerOptions = {},
  ) {}

  get records(): AccessRecords {
    return this.folder.records;
  }

  async load(): Promise<void> {
    const raw = (await this.store.read()) as AccessRecords | undefined;
    this.folder = new AccessFolder(raw?.version === 1 ? raw : emptyRecords());
  }

  /** Called after new pulls were folded in, with the repositories they concerned. */
  onChange(fn: (change: AccessChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Folds log text in (used by the follower, and to catch up from a finished log). */
  ingest(text: string, online = this.opts.isOnline?.() ?? true): number {
    let added = 0;
    const repositories = new Set<string>();
    let complete = true;
    for (const line of text.split('\n')) {
      const e = parseLogLine(line);
      if (!e || !this.folder.addEntry(e, online)) continue;
      added++;
      if ('repo' in e && e.repo) repositories.add(e.repo);
      else complete = false;
    }
    if (added) {
      this.scheduleSave();
      const change: AccessChange = { repositories: [...repositories].sort(), complete };
      for (const fn of this.listeners) fn(change);
    }
    return added;
  }

  /**
   * Folds in the logs kept from removed containers, oldest first, each deleted once the records that
   * count it are saved (one at a time: the follower and a catch-up may ask at once).
   */
  foldKeptLogs(): Promise<number> {
    const run = async (): Promise<number> => {
      if (!this.opts.dataDir) return 0;
      let added = 0;
      for (const kept of await keptLogs(this.opts.dataDir)) {
        const text = await readFile(kept.path, 'utf8').catch(() => undefined);
        if (text === undefined) continue;
        added += this.ingest(text, !kept.offline);
        // Not saved (a full disk): the file stays for the next time, and the cursor skips what counted.
        await this.save();
        await rm(kept.path, { force: true });
      }
      return added;
    };
    this.folding = this.folding.then(run, run);
    return this.folding;
  }

  /** Reads what the log holds since the last pull we counted (for short-lived callers like the CLI). */
  async catchUp(): Promise<number> {
    // Older than anything the live container logged: first, or the cursor would pass them by.
    const kept = await this.foldKeptLogs();
    const since = Math.floor(this.records.cursor.time / 1000);
    let buf: Buffer;
    try {
      buf = (await this.docker
        .getContainer(this.containerName)
        .logs({ follow: false, stdout: true, stderr: true, since })) as unknown as Buffer;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return kept;
      throw err;
    }
    const added = this.ingest(demuxLogs(buf));
    await this.flush();
    return kept + added;
  }

  /** Follows the log until stop(); re-attaches when the container restarts or is recreated. */
  start(): void {
    void (async () => {
      while (!this.stopped) {
        try {
          // A container removed since: what it logged and the follower missed was kept; first.
          await this.foldKeptLogs();
          await this.followOnce();
        } catch {
          /* no container yet, or the engine is down */
        }
        if (!this.stopped) await sleep(500);
      }
    })();
  }

  private async followOnce(): Promise<void> {
    const since = Math.floor(this.records.cursor.time / 1000);
    const stream = (await this.docker
      .getContainer(this.containerName)
      .logs({ follow: true, stdout: true, stderr: true, since })) as NodeJS.ReadableStream & {
      destroy?: () => void;
    };
    this.stream = stream;
    let pending = '';
    const sink = new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        pending += chunk.toString('utf8');
        const cut = pending.lastIndexOf('\n');
        if (cut >= 0) {
          this.ingest(pending.slice(0, cut));
          pending = pending.slice(cut + 1);
        }
        cb();
      },
    });
    this.docker.modem.demuxStream(stream, sink, sink);
    await new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
  }

  private scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.flush();
    }, this.opts.saveDelayMs ?? 1000);
  }

  async flush(): Promise<void> {
    await this.save().catch(() => {});
  }

  /** Saves the records now; rejects when they could not be written. */
  private async save(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    const written = this.saving.then(async () => {
      const through = this.records.cursor.time;
      await this.store.write(this.records);
      // Saved: a container removed from now on needs to keep only what comes after (best effort).
      if (this.opts.dataDir) await noteReadThrough(this.opts.dataDir, through).catch(() => {});
    });
    this.saving = written.catch(() => {});
    await written;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stream?.destroy?.();
    await this.flush();
  }
}
