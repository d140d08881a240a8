// What `configure` did, kept in the app's settings file (top-level key `engineUndo`) so that
// `configure --undo` reverts exactly that, even from a later process started with no flags: a record
// holds the file, how to reload the engine and where to ask it, and what mirrors it reported before.
// One stack per engine name: configuring again with another mirror URL pushes a second record; undo
// reverts them newest first and drops them only once the engine is verified to be back.
import { z } from 'zod';
import type { JsonStore } from '../settings/json-file.js';
import { AppError } from '../util/errors.js';

export const UNDO_KEY = 'engineUndo';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);
const sha = z.string().regex(/^[0-9a-f]{64}$/);

/** A file we edited: its exact bytes before (null: it did not exist) and a hash of what we wrote. */
export const fileUndoSchema = z.object({
  version: z.literal(1),
  path: z.string().min(1),
  mirror: z.string().min(1),
  before: base64.nullable(),
  afterSha256: sha,
});
export type FileUndo = z.infer<typeof fileUndoSchema>;

/** A boot2docker profile we edited over `docker-machine ssh`, and the two flags we added. */
export const profileUndoSchema = z.object({
  version: z.literal(1),
  machine: z.string().min(1),
  path: z.string().min(1),
  mirror: z.string().min(1),
  insecureRegistry: z.string().min(1),
  before: base64.nullable(),
  afterSha256: sha,
});
export type ProfileUndo = z.infer<typeof profileUndoSchema>;

/**
 * How the engine that reads the file is reloaded and asked, as configure found it: a later undo may
 * run without the flags or the DOCKER_HOST that pointed at it. Absent in records of older versions.
 */
export const applyRecordSchema = z.object({
  /** dockerd's pidfile: read again at undo, since a restarted dockerd has another pid */
  pidFile: z.string().min(1).optional(),
  /** the pid at configure time, used when the pidfile says nothing */
  pid: z.number().int().positive().optional(),
  /** the engine's socket, unix:///… (verification asks it) */
  host: z.string().min(1).optional(),
});
export type ApplyRecord = z.infer<typeof applyRecordSchema>;

/** The engine's registry mirrors before configure (null: it did not answer): undo is verified against it. */
const mirrorsBefore = z.array(z.string()).nullable().optional();

export const engineUndoRecordSchema = z.discriminatedUnion('kind', [
  // The daemon.json editor's own record (DaemonJsonUndo) has the same shape as FileUndo.
  z.object({
    kind: z.literal('daemon-json'),
    at: z.string(),
    undo: fileUndoSchema,
    apply: applyRecordSchema.optional(),
    mirrorsBefore,
  }),
  z.object({ kind: z.literal('colima-yaml'), at: z.string(), undo: fileUndoSchema, mirrorsBefore }),
  z.object({ kind: z.literal('machine-profile'), at: z.string(), undo: profileUndoSchema, mirrorsBefore }),
]);
export type EngineUndoRecord = z.infer<typeof engineUndoRecordSchema>;

const undoMapSchema = z.record(z.string(), z.array(engineUndoRecordSchema));
export type UndoMap = z.infer<typeof undoMapSchema>;

export class EngineUndoStore {
  constructor(private readonly store: JsonStore) {}

  private async document(): Promise<Record<string, unknown>> {
    const raw = await this.store.read();
    if (raw === undefined) return {};
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new AppError('CONFIG_UNREADABLE', `${this.store.location} does not hold an object`);
    }
    return raw as Record<string, unknown>;
  }

  /** Every engine's records; a malformed `engineUndo` is reported and left as it is. */
  async all(): Promise<UndoMap> {
    const value = (await this.document())[UNDO_KEY];
    if (value === undefined) return {};
    const parsed = undoMapSchema.safeParse(value);
    if (!parsed.success) {
      throw new AppError(
        'CONFIG_UNREADABLE',
        `the undo records (${UNDO_KEY}) in ${this.store.location} are not readable; they were left as they are`,
      );
    }
    return parsed.data;
  }

  async records(engine: string): Promise<EngineUndoRecord[]> {
    return (await this.all())[engine] ?? [];
  }

  async push(engine: string, record: EngineUndoRecord): Promise<void> {
    const map = await this.all();
    map[engine] = [...(map[engine] ?? []), engineUndoRecordSchema.parse(record)];
    await this.save(map);
  }

  /** Removes the newest record of an engine (after it was undone). */
  async pop(engine: string): Promise<void> {
    const map = await this.all();
    const list = (map[engine] ?? []).slice(0, -1);
    if (list.length) map[engine] = list;
    else delete map[engine];
    await this.save(map);
  }

  /** Removes exactly these records of an engine (an undo verified them); any pushed since stay. */
  async remove(engine: string, done: readonly EngineUndoRecord[]): Promise<void> {
    const gone = new Set(done.map((r) => JSON.stringify(r)));
    const map = await this.all();
    const list = (map[engine] ?? []).filter((r) => !gone.has(JSON.stringify(r)));
    if (list.length) map[engine] = list;
    else delete map[engine];
    await this.save(map);
  }

  private async save(map: UndoMap): Promise<void> {
    // Everything else in the file (the mirror's settings, the app's preferences) stays as it is.
    const doc = await this.document();
    const next: Record<string, unknown> = { ...doc };
    if (Object.keys(map).length) next[UNDO_KEY] = map;
    else delete next[UNDO_KEY];
    await this.store.write(next);
  }
}
