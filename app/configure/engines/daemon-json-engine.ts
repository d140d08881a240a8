// What Docker Desktop, Linux dockerd and OrbStack share: the configuration is a daemon.json, edited
// with the daemon.json editor (minimal text edit, backup, atomic write, exact undo).
import {
  configureDaemonJson,
  daemonJsonStatus,
  DaemonJsonError,
  isDaemonJsonUndo,
  undoDaemonJson,
  type ValidateOptions,
} from '../daemon-json/index.js';
import { asAppError } from '../errors.js';
import type { ApplyRecord, EngineUndoRecord } from '../undo-store.js';
import { mirrorsOf } from './engine-info.js';
import type { Detection, EditResult, EngineAdapter, EngineKind, EngineProbe } from './types.js';

export abstract class DaemonJsonEngine implements EngineAdapter {
  abstract readonly name: string;
  abstract readonly kind: EngineKind;

  constructor(
    readonly configFile: string,
    /** dockerd --validate runs only where the dockerd that reads the file is on this host */
    protected readonly validate: ValidateOptions | false,
  ) {}

  abstract detect(): Promise<Detection>;
  abstract plan(mirrorUrl: string): string[];
  abstract apply(): Promise<string>;
  protected abstract probe(): EngineProbe;

  /** How to reload and reach this engine later, kept in the undo record (none by default). */
  protected applyRecord(): ApplyRecord | undefined {
    return undefined;
  }

  async isConfigured(mirrorUrl: string): Promise<boolean> {
    try {
      return (await daemonJsonStatus(this.configFile, mirrorUrl)).configured;
    } catch (err) {
      // No directory yet (engine not installed): nothing is configured. Anything else is worth saying.
      if (err instanceof DaemonJsonError && err.code === 'MISSING_DIRECTORY') return false;
      throw asAppError(err);
    }
  }

  engineMirrors(): Promise<string[] | null> {
    return mirrorsOf(this.probe());
  }

  async edit(mirrorUrl: string): Promise<EditResult> {
    try {
      const r = await configureDaemonJson(this.configFile, mirrorUrl, { validate: this.validate });
      const apply = this.applyRecord();
      const record: EngineUndoRecord | null = r.undo
        ? { kind: 'daemon-json', at: new Date().toISOString(), undo: r.undo, ...(apply ? { apply } : {}) }
        : null;
      const detail = !r.changed
        ? `${this.configFile} already lists ${r.mirror}`
        : `${r.created ? 'created' : 'edited'} ${this.configFile}: registry-mirrors ${JSON.stringify(r.mirrors)}` +
          (r.backupPath ? ` (previous version in ${r.backupPath})` : '');
      return { changed: r.changed, record, detail };
    } catch (err) {
      throw asAppError(err);
    }
  }

  async revert(record: EngineUndoRecord): Promise<{ changed: boolean; exact: boolean; detail: string }> {
    if (record.kind !== 'daemon-json' || !isDaemonJsonUndo(record.undo)) {
      throw new Error(`${this.name} cannot undo a ${record.kind} record`);
    }
    try {
      const r = await undoDaemonJson(record.undo, { validate: this.validate });
      const detail = {
        restored: `restored ${r.path} exactly as it was`,
        deleted: `removed ${r.path} (we had created it)`,
        'removed-entry': `${r.path} changed since; took out only ${record.undo.mirror}`,
        nothing: `${r.path} no longer lists ${record.undo.mirror}: nothing to undo`,
      }[r.action];
      return { changed: r.action !== 'nothing', exact: r.action !== 'removed-entry', detail };
    } catch (err) {
      throw asAppError(err);
    }
  }
}
