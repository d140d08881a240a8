// Points a Docker engine at our registry mirror by editing its daemon.json, and undoes that again.
// configureDaemonJson: read with checks → minimal text edit → (dockerd --validate) → backup → atomic
// write. undoDaemonJson: restore the exact old bytes if the file is still ours, else remove only our
// entry. Nothing here restarts an engine; the caller does that (or tells the user to).
//
// Decisions: a missing, empty or whitespace-only file counts as {}; a symlink is refused (SYMLINK,
// naming its target), never followed; a file with no write bit is READ_ONLY even for root; with
// duplicate keys the last `registry-mirrors` (the one JSON.parse and dockerd use) is edited and
// earlier ones are left as they are; only UTF-8 (with or without BOM) is accepted.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { addMirror, removeMirror } from './edit.js';
import { DaemonJsonError } from './errors.js';
import {
  assertWritable,
  backupPathFor,
  decodeUtf8,
  readDaemonJsonFile,
  removeIfUnchanged,
  sha256,
  writeAtomic,
  type DaemonJsonFile,
} from './file.js';
import { sameMirror, validateMirrorUrl } from './normalize.js';
import { parseDaemonJson } from './parse.js';
import { validateWithDockerd, type ValidateOptions } from './validate.js';

export { DaemonJsonError, type DaemonJsonErrorCode } from './errors.js';
export { addMirror, hasMirror, removeMirror, type EditResult } from './edit.js';
export { normalizeMirrorUrl, sameMirror, validateMirrorUrl } from './normalize.js';
export { parseDaemonJson, type DaemonDoc } from './parse.js';
export { BACKUP_SUFFIX, backupPathFor } from './file.js';
export * from './validate.js';

/** Where the engines we know keep their daemon configuration. */
export function daemonJsonPaths(home = homedir()): {
  dockerDesktop: string;
  linux: string;
  orbstack: string;
} {
  return {
    dockerDesktop: join(home, '.docker', 'daemon.json'),
    linux: '/etc/docker/daemon.json',
    orbstack: join(home, '.orbstack', 'config', 'docker.json'),
  };
}

/**
 * What undo needs, small and JSON-serialisable: the caller persists it (the app in its settings).
 * The file counts as "untouched since" exactly when its bytes still hash to `afterSha256`.
 */
export interface DaemonJsonUndo {
  version: 1;
  /** The file that was edited, as given to configureDaemonJson. */
  path: string;
  /** The entry that was added, exactly as written (the normalised URL). */
  mirror: string;
  /** Base64 of the exact bytes before the edit (any encoding survives); `null`: the file did not exist. */
  before: string | null;
  /** Hex SHA-256 of the exact bytes written. */
  afterSha256: string;
}

export function isDaemonJsonUndo(value: unknown): value is DaemonJsonUndo {
  const v = value as Partial<Record<keyof DaemonJsonUndo, unknown>> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.version === 1 &&
    typeof v.path === 'string' &&
    typeof v.mirror === 'string' &&
    (v.before === null || (typeof v.before === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(v.before))) &&
    typeof v.afterSha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(v.afterSha256)
  );
}

export interface EditOptions {
  /** Check the candidate with `dockerd --validate` before writing (default on); `false` skips it. */
  validate?: ValidateOptions | false;
}

export interface ConfigureResult {
  path: string;
  /** False when an equivalent mirror was already listed: then nothing was written at all. */
  changed: boolean;
  /** True when the file did not exist and was created. */
  created: boolean;
  /** The mirror as it appears in the file (normalised). */
  mirror: string;
  /** The effective `registry-mirrors` afterwards. */
  mirrors: string[];
  /** Where the previous bytes were saved, when there were any and we wrote. */
  backupPath: string | null;
  /** Persist this to undo later; `null` when nothing changed (keep any record you already hold). */
  undo: DaemonJsonUndo | null;
  validated: 'ok' | 'unavailable' | 'skipped';
}

/** Adds `mirror` to `registry-mirrors` in the daemon.json at `path`. Throws DaemonJsonError; the file is then untouched. */
export async function configureDaemonJson(
  path: string,
  mirror: string,
  options: EditOptions = {},
): Promise<ConfigureResult> {
  const normal = validateMirrorUrl(mirror);
  const file = await readDaemonJsonFile(path);
  const before = file.bytes;
  const { text, changed } = atPath(path, () => addMirror(before === null ? '' : decodeUtf8(before), normal));
  const result = { path, mirror: normal, mirrors: parseDaemonJson(text).mirrors?.values ?? [] };
  if (!changed) {
    return { ...result, changed, created: false, backupPath: null, undo: null, validated: 'skipped' };
  }
  const after = Buffer.from(text, 'utf8');
  const validated = await prepareWrite(file, after, options);
  const backupPath = before === null ? null : await backup(file, before);
  await writeAtomic(path, after, { mode: file.mode, uid: file.uid, gid: file.gid, expect: before });
  const undo: DaemonJsonUndo = {
    version: 1,
    path,
    mirror: normal,
    before: before === null ? null : before.toString('base64'),
    afterSha256: sha256(after)!,
  };
  return { ...result, changed, created: before === null, backupPath, undo, validated };
}

export interface UndoResult {
  path: string;
  /**
   * restored: the file was still exactly ours, its previous bytes are back; deleted: same, and we had
   * created it; removed-entry: it changed since, only our mirror was taken out; nothing: our mirror
   * is not there any more (or the file is gone).
   */
  action: 'restored' | 'deleted' | 'removed-entry' | 'nothing';
  validated: 'ok' | 'unavailable' | 'skipped';
}

/** Reverts a configureDaemonJson. Throws DaemonJsonError (e.g. the file is now invalid JSON); the file is then untouched. */
export async function undoDaemonJson(undo: DaemonJsonUndo, options: EditOptions = {}): Promise<UndoResult> {
  if (!isDaemonJsonUndo(undo))
    throw new DaemonJsonError('BAD_UNDO', 'not a daemon.json undo record (version 1)');
  const { path } = undo;
  const before = undo.before === null ? null : Buffer.from(undo.before, 'base64');
  const file = await readDaemonJsonFile(path);
  const current = file.bytes;
  if (current === null) return { path, action: 'nothing', validated: 'skipped' };
  if (sha256(current) === undo.afterSha256) {
    await assertWritable(file);
    if (before === null) {
      await removeIfUnchanged(path, current);
      return { path, action: 'deleted', validated: 'skipped' };
    }
    await writeAtomic(path, before, { mode: file.mode, uid: file.uid, gid: file.gid, expect: current });
    await dropBackupIfRedundant(path, before);
    return { path, action: 'restored', validated: 'skipped' };
  }
  // Changed by someone else since: take out our entry only, and the key too if we had created it.
  const hadKey = before !== null && mirrorsKeyIn(before);
  const text = atPath(path, () => decodeUtf8(current));
  const edit = atPath(path, () => removeMirror(text, undo.mirror, { dropEmptyKey: !hadKey }));
  if (!edit.changed) return { path, action: 'nothing', validated: 'skipped' };
  const after = Buffer.from(edit.text, 'utf8');
  const validated = await prepareWrite(file, after, options);
  await backup(file, current);
  await writeAtomic(path, after, { mode: file.mode, uid: file.uid, gid: file.gid, expect: current });
  return { path, action: 'removed-entry', validated };
}

/** Reads the file without changing anything: is `mirror` configured, and which mirrors are listed. */
export async function daemonJsonStatus(
  path: string,
  mirror: string,
): Promise<{ exists: boolean; configured: boolean; mirrors: string[] }> {
  const { bytes } = await readDaemonJsonFile(path);
  const mirrors = atPath(
    path,
    () => parseDaemonJson(bytes === null ? '' : decodeUtf8(bytes)).mirrors?.values ?? [],
  );
  const normal = validateMirrorUrl(mirror);
  return { exists: bytes !== null, configured: mirrors.some((m) => sameMirror(m, normal)), mirrors };
}

async function prepareWrite(
  file: DaemonJsonFile,
  candidate: Buffer,
  options: EditOptions,
): Promise<ConfigureResult['validated']> {
  await assertWritable(file);
  if (options.validate === false) return 'skipped';
  const outcome = await validateWithDockerd(candidate, options.validate).catch((err: unknown) => {
    throw err instanceof DaemonJsonError ? err.atPath(file.path) : err;
  });
  return outcome.validated;
}

async function backup(file: DaemonJsonFile, bytes: Buffer): Promise<string> {
  const path = backupPathFor(file.path);
  await writeAtomic(path, bytes, { mode: file.mode, uid: file.uid, gid: file.gid });
  return path;
}

// After an exact restore the backup holds the same bytes as the file: tidy it away.
async function dropBackupIfRedundant(path: string, restored: Buffer): Promise<void> {
  const backupPath = backupPathFor(path);
  const saved = await readDaemonJsonFile(backupPath).catch(() => null);
  if (saved?.bytes?.equals(restored)) await removeIfUnchanged(backupPath, saved.bytes).catch(() => {});
}

function mirrorsKeyIn(bytes: Buffer): boolean {
  try {
    return parseDaemonJson(decodeUtf8(bytes)).mirrors !== null;
  } catch {
    return false;
  }
}

function atPath<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw err instanceof DaemonJsonError ? err.atPath(path) : err;
  }
}
