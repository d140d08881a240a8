// Preview, apply, verify and undo for a client configuration file that may be the user's own
// (buildkitd.toml, registries.conf), the way the daemon.json editor does it: read with checks (a
// symlink, a directory or a non-UTF-8 file is refused), splice, write atomically (temp file + rename,
// mode and owner kept, refused if the file changed in between), and keep an undo record with the
// exact bytes before our first change. Undo writes those bytes back when the file is still exactly
// what we wrote; when the user changed it since, only our entries are taken out (their edits stay).
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  decodeUtf8,
  readDaemonJsonFile,
  removeIfUnchanged,
  sha256,
  writeAtomic,
} from '../daemon-json/file.js';
import { asAppError, configureError } from '../errors.js';
import {
  addBuildkitMirrors,
  missingBuildkitMirrors,
  removeBuildkitMirrors,
  type TextEdit,
} from './buildkitd-toml.js';
import { checkEntries, type CheckedEntry, type MirrorEntry } from './entries.js';
import { type ClientFileUndo, type ClientUndoStore } from './undo-records.js';
import {
  addContainersMirrors,
  missingContainersMirrors,
  removeContainersMirrors,
} from './registries-conf.js';

export type EditedClient = 'buildkit' | 'podman';

interface TextEditor {
  add(text: string, entries: readonly CheckedEntry[], where: string): TextEdit;
  missing(text: string, entries: readonly CheckedEntry[], where: string): string[];
  remove(text: string, entries: readonly CheckedEntry[], before: string | null, where: string): TextEdit;
}

export const EDITORS: Record<EditedClient, TextEditor> = {
  buildkit: { add: addBuildkitMirrors, missing: missingBuildkitMirrors, remove: removeBuildkitMirrors },
  podman: { add: addContainersMirrors, missing: missingContainersMirrors, remove: removeContainersMirrors },
};

export const undoKey = (client: EditedClient, path: string) => `${client}:${path}`;

async function read(
  path: string,
): Promise<{ bytes: Buffer | null; text: string | null; mode: number; uid: number; gid: number }> {
  try {
    const f = await readDaemonJsonFile(path);
    return { ...f, text: f.bytes === null ? null : decodeUtf8(f.bytes) };
  } catch (err) {
    const e = asAppError(err) as { details?: { reason?: string } };
    if (e.details?.reason === 'MISSING_DIRECTORY')
      return { bytes: null, text: null, mode: 0o644, uid: -1, gid: -1 };
    throw e;
  }
}

export interface ClientPreview {
  client: EditedClient;
  path: string;
  exists: boolean;
  changed: boolean;
  /** the text the file would hold */
  text: string;
}

/** What apply would write; nothing is written. Bad input or a file we cannot edit throws, in words. */
export async function previewClientFile(
  client: EditedClient,
  path: string,
  entries: readonly MirrorEntry[],
): Promise<ClientPreview> {
  const checked = checkEntries(entries);
  const f = await read(path);
  const edit = EDITORS[client].add(f.text ?? '', checked, path);
  return { client, path, exists: f.bytes !== null, changed: edit.changed, text: edit.text };
}

export interface ClientApply {
  client: EditedClient;
  path: string;
  changed: boolean;
  created: boolean;
  undo: ClientFileUndo | null;
}

/** Writes our entries (atomically) and records how to undo it in `store` (when given). */
export async function applyClientFile(
  client: EditedClient,
  path: string,
  entries: readonly MirrorEntry[],
  store?: ClientUndoStore,
): Promise<ClientApply> {
  const checked = checkEntries(entries);
  let f = await read(path);
  const edit = EDITORS[client].add(f.text ?? '', checked, path);
  if (!edit.changed) return { client, path, changed: false, created: false, undo: null };
  if (f.bytes === null) {
    await mkdir(dirname(path), { recursive: true });
    f = await read(path);
  }
  const after = Buffer.from(edit.text, 'utf8');
  const undo: ClientFileUndo = {
    version: 1,
    client,
    path,
    entries: checked.map((e) => ({ registry: e.registry, mirrorUrl: e.mirrorUrl })),
    before: f.bytes === null ? null : f.bytes.toString('base64'),
    afterSha256: sha256(after)!,
  };
  // The record first: a crash after the write still leaves a way back.
  await store?.push(undoKey(client, path), { at: new Date().toISOString(), undo });
  try {
    await writeAtomic(path, after, { mode: f.mode, uid: f.uid, gid: f.gid, expect: f.bytes });
  } catch (err) {
    await store?.pop(undoKey(client, path));
    throw asAppError(err);
  }
  return { client, path, changed: true, created: f.bytes === null, undo };
}

/** Reads the file again: are all our entries there? */
export async function verifyClientFile(
  client: EditedClient,
  path: string,
  entries: readonly MirrorEntry[],
): Promise<{ path: string; ok: boolean; missing: string[] }> {
  const checked = checkEntries(entries);
  const f = await read(path);
  const missing =
    f.text === null ? [`${path} does not exist`] : EDITORS[client].missing(f.text, checked, path);
  return { path, ok: missing.length === 0, missing };
}

export interface ClientUndo {
  path: string;
  /** restored: the exact bytes from before; deleted: we had created it; removed-entries: the user changed it since, only ours went; nothing */
  action: 'restored' | 'deleted' | 'removed-entries' | 'nothing';
}

/** Reverts one record (see the file header). */
export async function revertClientFile(undo: ClientFileUndo): Promise<ClientUndo> {
  const { path } = undo;
  const client = undo.client as EditedClient;
  if (!(client in EDITORS))
    throw configureError('BAD_NAME', `unknown client "${undo.client}" in an undo record`);
  const before = undo.before === null ? null : Buffer.from(undo.before, 'base64');
  const f = await read(path);
  if (f.bytes === null) return { path, action: 'nothing' };
  try {
    if (sha256(f.bytes) === undo.afterSha256) {
      if (before === null) {
        await removeIfUnchanged(path, f.bytes);
        return { path, action: 'deleted' };
      }
      await writeAtomic(path, before, { mode: f.mode, uid: f.uid, gid: f.gid, expect: f.bytes });
      return { path, action: 'restored' };
    }
    const edit = EDITORS[client].remove(
      f.text!,
      checkEntries(undo.entries),
      before === null ? null : decodeUtf8(before),
      path,
    );
    if (!edit.changed) return { path, action: 'nothing' };
    await writeAtomic(path, Buffer.from(edit.text, 'utf8'), {
      mode: f.mode,
      uid: f.uid,
      gid: f.gid,
      expect: f.bytes,
    });
    return { path, action: 'removed-entries' };
  } catch (err) {
    throw asAppError(err);
  }
}

/** Undoes every recorded change to this file, newest first; records are dropped once reverted. */
export async function undoClientFile(
  client: EditedClient,
  path: string,
  store: ClientUndoStore,
): Promise<ClientUndo[]> {
  const key = undoKey(client, path);
  const records = await store.records(key);
  if (records.length === 0)
    throw configureError('NOTHING_TO_UNDO', `nothing to undo: drpc has not changed ${path} for ${client}`);
  const done: ClientUndo[] = [];
  for (const r of [...records].reverse()) {
    done.push(await revertClientFile(r.undo));
    await store.pop(key);
  }
  return done;
}
