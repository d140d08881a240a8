// What every call returns: `{ok: true, value}` or `{ok: false, error: {code, message}}`, never a thrown
// error, so the UI can show any failure as data. Error codes are the core's (AppError) plus the shell's own.
import { z } from 'zod';
import { AppError, type ErrorCode } from '../util/errors.js';

/** The core's codes. Listed here because the contract must name every code a call can return. */
export const APP_ERROR_CODES = [
  'INVALID_INPUT',
  'ENGINE_UNREACHABLE',
  'ENGINE_CONFIG',
  'IMAGE_UNAVAILABLE',
  'PORT_IN_USE',
  'DATA_DIR_UNWRITABLE',
  'CONFIG_UNREADABLE',
  'NOT_CREATED',
  'UNHEALTHY',
  'VERIFY_FAILED',
  'INTERNAL',
] as const satisfies readonly ErrorCode[];

// A code added to AppError without being added above fails to compile here, naming the code.
type MissingCodes = Exclude<ErrorCode, (typeof APP_ERROR_CODES)[number]>;
const _everyCoreCodeListed: [MissingCodes] extends [never] ? true : MissingCodes = true;
void _everyCoreCodeListed;

/** Codes only the shell produces: a refused caller, an operation already running, no OS keychain. */
export const SHELL_ERROR_CODES = ['FORBIDDEN', 'BUSY', 'SECRETS_UNAVAILABLE'] as const;

export const errorCodeSchema = z.enum([...APP_ERROR_CODES, ...SHELL_ERROR_CODES]);
export type CallErrorCode = z.infer<typeof errorCodeSchema>;
export type ShellErrorCode = (typeof SHELL_ERROR_CODES)[number];

export const issueSchema = z.object({ path: z.string(), message: z.string() });

export const callErrorSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  /** field-level problems of invalid input, e.g. `{path: 'mirror.port', message: ...}` */
  issues: z.array(issueSchema).optional(),
  /** plain facts the UI may use, e.g. `{suggestion: 5001}` for a port in use */
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
export type CallError = z.infer<typeof callErrorSchema>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: CallError };

export function resultSchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: callErrorSchema }),
  ]);
}

/** An error the shell raises with one of its own codes. */
export class ShellError extends Error {
  constructor(
    readonly code: ShellErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ShellError';
  }
}

/** Field-level issues from a zod error, with dotted paths. */
export function issuesOf(error: z.ZodError): CallError['issues'] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/** Any thrown value as the error half of a result. Only primitive details cross the boundary. */
export function toCallError(err: unknown): CallError {
  if (err instanceof ShellError) return { code: err.code, message: err.message };
  if (err instanceof z.ZodError) {
    return { code: 'INVALID_INPUT', message: describeZodError(err), issues: issuesOf(err) };
  }
  if (err instanceof AppError) {
    const code = errorCodeSchema.safeParse(err.code);
    const details = primitiveDetails(err.details);
    const issues = Array.isArray(err.details?.issues)
      ? z.array(issueSchema).safeParse(err.details.issues)
      : undefined;
    return {
      code: code.success ? code.data : 'INTERNAL',
      message: err.message,
      ...(issues?.success ? { issues: issues.data } : {}),
      ...(details ? { details } : {}),
    };
  }
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

function primitiveDetails(d: Record<string, unknown> | undefined): CallError['details'] {
  if (!d) return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(d)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(error: CallError): Result<T> {
  return { ok: false, error };
}
