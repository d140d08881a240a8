// What `drpc clients apply` changed in a client's file, kept in the app's settings file under its own
// top-level key `clientUndo` (beside configure's `engineUndo`, same pattern): a stack of records per
// client and file, so undo reverts exactly that, newest first, from a later process with no flags.
import { z } from 'zod';
import type { JsonStore } from '../../settings/json-file.js';
import { AppError } from '../../util/errors.js';

export const CLIENT_UNDO_KEY = 'clientUndo';

/** A client's file we edited: its exact bytes before (null: it did not exist) and a hash of what we wrote. */
export const clientFileUndoSchema = z.object({
  version: z.literal(1),
  client: z.string().min(1),
  path: z.string().min(1),
  entries: z.array(z.object({ registry: z.string().min(1), mirrorUrl: z.string().min(1) })).min(1),
  before: z
    .string()
    .regex(/^[A-Za-z0-9+/]*={0,2}$/)
    .nullable(),
  afterSha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ClientFileUndo = z.infer<typeof clientFileUndoSchema>;

const recordSchema = z.object({ at: z.string(), undo: clientFileUndoSchema });
export type ClientUndoRecord = z.infer<typeof recordSchema>;
const mapSchema = z.record(z.string(), z.array(recordSchema));

export class ClientUndoStore {
  constructor(private readonly store: JsonStore) {}

  private async document(): Promise<Record<string, unknown>> {
    const raw = await this.store.read();
    if (raw === undefined) return {};
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new AppError('CONFIG_UNREADABLE', `${this.store.location} does not hold an object`);
    return raw as Record<string, unknown>;
  }

  async all(): Promise<Record<string, ClientUndoRecord[]>> {
    const value = (await this.document())[CLIENT_UNDO_KEY];
    if (value === undefined) return {};
    const parsed = mapSchema.safeParse(value);
    if (!parsed.success)
      throw new AppError(
        'CONFIG_UNREADABLE',
        `the undo records (${CLIENT_UNDO_KEY}) in ${this.store.location} are not readable; they were left as they are`,
      );
    return parsed.data;
  }

  async records(key: string): Promise<ClientUndoRecord[]> {
    return (await this.all())[key] ?? [];
  }

  async push(key: string, record: ClientUndoRecord): Promise<void> {
    const map = await this.all();
    map[key] = [...(map[key] ?? []), recordSchema.parse(record)];
    await this.save(map);
  }

  /** Removes the newest record of a key (after it was undone, or its write failed). */
  async pop(key: string): Promise<void> {
    const map = await this.all();
    const list = (map[key] ?? []).slice(0, -1);
    if (list.length) map[key] = list;
    else delete map[key];
    await this.save(map);
  }

  private async save(map: Record<string, ClientUndoRecord[]>): Promise<void> {
    // Everything else in the file (settings, engineUndo, preferences) stays as it is.
    const next: Record<string, unknown> = { ...(await this.document()) };
    if (Object.keys(map).length) next[CLIENT_UNDO_KEY] = map;
    else delete next[CLIENT_UNDO_KEY];
    await this.store.write(next);
  }
}
