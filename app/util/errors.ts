// Errors the UI and CLI can show as they are: a stable code, a message that says what to do.
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'ENGINE_UNREACHABLE'
  | 'ENGINE_CONFIG'
  | 'IMAGE_UNAVAILABLE'
  | 'PORT_IN_USE'
  | 'DATA_DIR_UNWRITABLE'
  | 'CONFIG_UNREADABLE'
  | 'NOT_CREATED'
  | 'UNHEALTHY'
  | 'VERIFY_FAILED'
  | 'INTERNAL';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof Error) return new AppError('INTERNAL', err.message);
  return new AppError('INTERNAL', String(err));
}

/** The message of an unknown thrown value. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
