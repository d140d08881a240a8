// Errors of the engine configuration, as the app's AppError (so the CLI and the UI show them as they
// are) with a finer `details.reason` a caller can switch on.
import { AppError, type ErrorCode } from '../util/errors.js';
import { DaemonJsonError } from './daemon-json/index.js';

export type ConfigureReason =
  /** a machine or engine name that is not allowed, or an unknown engine */
  | 'BAD_NAME'
  | 'UNKNOWN_ENGINE'
  /** a mirror URL this engine cannot use (Docker Desktop: plain HTTP only to loopback) */
  | 'LOOPBACK_REQUIRED'
  /** a destructive step needs the user's yes (removing an existing machine) */
  | 'NEEDS_CONFIRMATION'
  /** docker-machine (or colima, orb, docker) is not installed */
  | 'NOT_INSTALLED'
  | 'MACHINE_NOT_FOUND'
  | 'MACHINE_EXISTS'
  | 'DRIVER_MISSING'
  /** the VM or engine is not running */
  | 'NOT_RUNNING'
  /** a configuration file we must not edit as it is (unparsable YAML, an odd profile) */
  | 'INVALID_CONFIG'
  /** the restart or reload command failed */
  | 'APPLY_FAILED'
  /** any other command failure */
  | 'COMMAND_FAILED'
  /** no undo record for this engine */
  | 'NOTHING_TO_UNDO';

const CODES: Record<ConfigureReason, ErrorCode> = {
  BAD_NAME: 'INVALID_INPUT',
  UNKNOWN_ENGINE: 'INVALID_INPUT',
  LOOPBACK_REQUIRED: 'INVALID_INPUT',
  NEEDS_CONFIRMATION: 'INVALID_INPUT',
  MACHINE_NOT_FOUND: 'INVALID_INPUT',
  MACHINE_EXISTS: 'INVALID_INPUT',
  NOTHING_TO_UNDO: 'INVALID_INPUT',
  NOT_INSTALLED: 'ENGINE_CONFIG',
  DRIVER_MISSING: 'ENGINE_CONFIG',
  INVALID_CONFIG: 'ENGINE_CONFIG',
  APPLY_FAILED: 'ENGINE_CONFIG',
  COMMAND_FAILED: 'ENGINE_CONFIG',
  NOT_RUNNING: 'ENGINE_UNREACHABLE',
};

export function configureError(
  reason: ConfigureReason,
  message: string,
  details: Record<string, unknown> = {},
): AppError {
  return new AppError(CODES[reason], message, { reason, ...details });
}

export function reasonOf(err: unknown): string | undefined {
  const d = (err as AppError | undefined)?.details;
  return typeof d?.reason === 'string' ? d.reason : undefined;
}

/** A daemon.json editor error as an AppError: the file was left untouched, the message says why. */
export function asAppError(err: unknown): unknown {
  if (err instanceof DaemonJsonError) {
    const code: ErrorCode = err.code === 'BAD_MIRROR_URL' ? 'INVALID_INPUT' : 'ENGINE_CONFIG';
    return new AppError(code, err.message, {
      reason: err.code,
      ...(err.path ? { path: err.path } : {}),
      ...(err.line ? { line: err.line, column: err.column } : {}),
    });
  }
  return err;
}
