// Typed errors for the daemon.json editor. Every failure leaves the file untouched; `code` tells the
// caller (CLI, menu-bar app) what went wrong without parsing messages.

export type DaemonJsonErrorCode =
  /** Not JSON (or not UTF-8); `line`/`column` point at the problem. */
  | 'INVALID_JSON'
  /** A directory, socket, FIFO or device sits where the file should be. */
  | 'NOT_A_FILE'
  /** No write permission bit on the file, EACCES/EPERM/EROFS, or an unwritable directory. */
  | 'READ_ONLY'
  /** The path is a symbolic link: we refuse to edit through it (the message names the target). */
  | 'SYMLINK'
  /** The top-level JSON value is not an object. */
  | 'NOT_AN_OBJECT'
  /** `registry-mirrors` is present but not an array of strings. */
  | 'BAD_MIRRORS'
  /** The mirror URL we were asked to add is not a valid registry mirror URL. */
  | 'BAD_MIRROR_URL'
  /** The directory that should hold the file does not exist (the engine is probably not installed). */
  | 'MISSING_DIRECTORY'
  /** The file changed between our read and our write: nothing was written. */
  | 'CONFLICT'
  /** `dockerd --validate` rejected the candidate configuration: nothing was written. */
  | 'VALIDATION_FAILED'
  /** An undo record that is not one of ours (wrong shape or version). */
  | 'BAD_UNDO'
  /** Any other I/O failure. */
  | 'IO_ERROR';

export interface DaemonJsonErrorDetails {
  path?: string;
  /** 1-based, for INVALID_JSON / NOT_AN_OBJECT / BAD_MIRRORS. */
  line?: number;
  /** 1-based, counted in Unicode code points; a BOM is not counted. */
  column?: number;
  cause?: unknown;
}

export class DaemonJsonError extends Error {
  override readonly name = 'DaemonJsonError';
  readonly code: DaemonJsonErrorCode;
  readonly path: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(code: DaemonJsonErrorCode, message: string, details: DaemonJsonErrorDetails = {}) {
    super(details.path ? `${details.path}: ${message}` : message, { cause: details.cause });
    this.code = code;
    this.path = details.path;
    this.line = details.line;
    this.column = details.column;
  }

  /** The same error, with the file path in its message (parsing works on text and knows no path). */
  atPath(path: string): DaemonJsonError {
    if (this.path) return this;
    const { line, column, cause } = this;
    return new DaemonJsonError(this.code, this.message, { path, line, column, cause });
  }
}

/** 1-based line and column of a UTF-16 offset; CRLF, LF and a lone CR each end a line. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      lineStart = i + 1;
    }
  }
  // Code points, so an emoji before the error counts as one column, as editors show it.
  const column = [...text.slice(lineStart, end)].length + 1;
  return { line, column };
}

/** Maps a Node fs error to our codes; the original stays in `cause`. */
export function fsError(err: unknown, path: string, doing: string): DaemonJsonError {
  if (err instanceof DaemonJsonError) return err.atPath(path);
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const why = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new DaemonJsonError('READ_ONLY', `cannot ${doing}: not writable (${code}); try with sudo?`, {
        path,
        cause: err,
      });
    case 'EISDIR':
      return new DaemonJsonError('NOT_A_FILE', `cannot ${doing}: it is a directory`, { path, cause: err });
    case 'ELOOP':
      return new DaemonJsonError('SYMLINK', `cannot ${doing}: it is a symbolic link`, { path, cause: err });
    case 'ENOENT':
    case 'ENOTDIR':
      return new DaemonJsonError('MISSING_DIRECTORY', `cannot ${doing}: ${why}`, { path, cause: err });
    default:
      return new DaemonJsonError('IO_ERROR', `cannot ${doing}: ${why}`, { path, cause: err });
  }
}
