// The file side: read with checks, write atomically (temp file in the same directory, fsync, rename,
// fsync the directory), keep mode and owner, and refuse to clobber a file that changed under us.
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, lstat, open, readlink, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DaemonJsonError, fsError, lineColumn } from './errors.js';

export const BACKUP_SUFFIX = '.drpc-backup';

export interface DaemonJsonFile {
  path: string;
  /** The exact bytes, or `null` when the file does not exist (it then counts as `{}`). */
  bytes: Buffer | null;
  /** Permission bits to write with: the file's own, or 0644 for a new file. */
  mode: number;
  /** Owner to keep (a root process would otherwise hand the file to root): the file's, or its directory's. */
  uid: number;
  gid: number;
}

export function backupPathFor(path: string): string {
  return path + BACKUP_SUFFIX;
}

export function sha256(bytes: Uint8Array | null): string | null {
  return bytes === null ? null : createHash('sha256').update(bytes).digest('hex');
}

/**
 * Reads the file, refusing anything we would not edit safely. A symlink is refused rather than
 * followed: replacing it atomically would turn it into a plain file, and editing its target edits a
 * file the user may not expect; the error names the target so they can point us at it directly.
 * Only the last path component is checked (a symlinked parent such as macOS /etc is fine).
 */
export async function readDaemonJsonFile(path: string): Promise<DaemonJsonFile> {
  let st;
  try {
    st = await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fsError(err, path, 'read it');
    const dir = await stat(dirname(path)).catch(() => null);
    if (!dir?.isDirectory()) {
      throw new DaemonJsonError('MISSING_DIRECTORY', `directory ${dirname(path)} does not exist`, { path });
    }
    return { path, bytes: null, mode: 0o644, uid: dir.uid, gid: dir.gid };
  }
  if (st.isSymbolicLink()) {
    const target = await readlink(path).catch(() => '?');
    throw new DaemonJsonError(
      'SYMLINK',
      `is a symbolic link to ${target}; refusing to edit through a link, configure the target file instead`,
      { path },
    );
  }
  if (st.isDirectory()) throw new DaemonJsonError('NOT_A_FILE', 'is a directory, not a file', { path });
  if (!st.isFile()) throw new DaemonJsonError('NOT_A_FILE', 'is not a regular file', { path });
  let fh: FileHandle | undefined;
  try {
    // O_NOFOLLOW: a symlink swapped in since lstat fails with ELOOP instead of being read.
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    const bytes = await fh.readFile();
    return { path, bytes, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch (err) {
    throw fsError(err, path, 'read it');
  } finally {
    await fh?.close();
  }
}

/**
 * Throws READ_ONLY unless we may replace the file. Mode bits are checked explicitly: root passes
 * every access() check, so a file with no write bit (chmod 0444) is treated as read-only on purpose.
 */
export async function assertWritable(file: DaemonJsonFile): Promise<void> {
  if (file.bytes !== null && (file.mode & 0o222) === 0) {
    throw new DaemonJsonError('READ_ONLY', 'is read-only (no write permission bit); not changing it', {
      path: file.path,
    });
  }
  // Replacing by rename needs a writable directory, whatever the file's own bits say.
  for (const p of file.bytes === null ? [dirname(file.path)] : [file.path, dirname(file.path)]) {
    await access(p, constants.W_OK).catch((err: unknown) => {
      throw fsError(err, file.path, `write ${p}`);
    });
  }
}

/** Decodes UTF-8 strictly: invalid bytes are an INVALID_JSON error with their line and column. */
export function decodeUtf8(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  // Node decodes invalid sequences to U+FFFD; a U+FFFD not spelled EF BF BD in the bytes marks one.
  for (let i = text.indexOf('\uFFFD'); i >= 0; i = text.indexOf('\uFFFD', i + 1)) {
    const at = Buffer.byteLength(text.slice(0, i));
    if (bytes[at] !== 0xef || bytes[at + 1] !== 0xbf || bytes[at + 2] !== 0xbd) {
      const { line, column } = lineColumn(text.replace(/^\uFEFF/, ''), text.startsWith('\uFEFF') ? i - 1 : i);
      throw new DaemonJsonError('INVALID_JSON', `not valid UTF-8 at line ${line}, column ${column}`, {
        line,
        column,
      });
    }
  }
  return text;
}

export interface WriteOptions {
  mode: number;
  uid?: number;
  gid?: number;
  /** Compare-and-swap: the bytes the file must still hold right before the rename (`null`: must not exist). */
  expect?: Buffer | null;
}

/** Replaces `path` with `bytes` atomically; on any failure the temp file is removed and `path` is untouched. */
export async function writeAtomic(path: string, bytes: Uint8Array, options: WriteOptions): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.drpc-tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  let fh: FileHandle | undefined;
  try {
    fh = await open(tmp, 'wx', options.mode);
    await fh.writeFile(bytes);
    await fh.chmod(options.mode); // open()'s mode went through the umask
    if (process.getuid?.() === 0 && options.uid !== undefined && options.gid !== undefined) {
      // Best effort: in some user namespaces root cannot chown to an unmapped id.
      await fh.chown(options.uid, options.gid).catch(() => {});
    }
    await fh.sync();
    await fh.close();
    fh = undefined;
    if (options.expect !== undefined) await assertUnchanged(path, options.expect);
    await rename(tmp, path);
  } catch (err) {
    await fh?.close().catch(() => {});
    await rm(tmp, { force: true }).catch(() => {});
    throw fsError(err, path, 'write it');
  }
  await syncDirectory(dir);
}

/** Deletes `path` if it still holds `expect` (undo of a file we created). */
export async function removeIfUnchanged(path: string, expect: Buffer): Promise<void> {
  await assertUnchanged(path, expect);
  await rm(path).catch((err: unknown) => {
    throw fsError(err, path, 'delete it');
  });
  await syncDirectory(dirname(path));
}

async function assertUnchanged(path: string, expect: Buffer | null): Promise<void> {
  const now = await readDaemonJsonFile(path).then(
    (f) => f.bytes,
    () => undefined,
  );
  const same = now !== undefined && (expect === null ? now === null : now !== null && now.equals(expect));
  if (!same) {
    throw new DaemonJsonError(
      'CONFLICT',
      'changed while we were editing it; nothing was written, try again',
      {
        path,
      },
    );
  }
}

// Best effort: the rename has happened, so a directory that cannot be fsynced (some filesystems
// refuse) must not turn a successful edit into a reported failure.
async function syncDirectory(dir: string): Promise<void> {
  let dh: FileHandle | undefined;
  try {
    dh = await open(dir, constants.O_RDONLY);
    await dh.sync();
  } catch {
    // ignored, see above
  } finally {
    await dh?.close().catch(() => {});
  }
}
