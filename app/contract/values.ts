// The values that cross the IPC boundary, as zod schemas checked against the core's own types,
// so a field added to MirrorStatus (say) fails to compile until the contract carries it too.
import { z } from 'zod';
import type { PullProgress } from '../mirror/image.js';
import type { UpAction } from '../mirror/mirror.js';
import type { MirrorState, MirrorStatus } from '../mirror/status.js';
import type { VerifyReport, VerifyStep } from '../mirror/verify.js';

/** Compile-time proof that two types are the same. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export function assertSame<A, B>(_proof: Same<A, B>): void {}

export const mirrorStateSchema = z.enum([
  'engine-unreachable',
  'image-missing',
  'not-created',
  'port-in-use',
  'stopped',
  'starting',
  'running',
  'unhealthy',
  'crash-looping',
]);

export const mirrorStatusSchema = z.object({
  state: mirrorStateSchema,
  message: z.string(),
  mirrorUrl: z.string(),
  engine: z.object({
    endpoint: z.string(),
    reachable: z.boolean(),
    version: z.string().optional(),
    os: z.string().optional(),
  }),
  container: z
    .object({
      id: z.string(),
      name: z.string(),
      image: z.string(),
      running: z.boolean(),
      restartCount: z.number(),
      exitCode: z.number(),
      startedAt: z.string(),
      configCurrent: z.boolean(),
      debugPort: z.number().optional(),
    })
    .optional(),
  port: z
    .object({
      port: z.number(),
      heldBy: z.string().optional(),
      hint: z.string().optional(),
      suggestion: z.number().optional(),
    })
    .optional(),
  checkedAt: z.string(),
});

export const pullProgressSchema = z.object({
  status: z.string(),
  id: z.string().optional(),
  current: z.number().optional(),
  total: z.number().optional(),
});

export const upActionSchema = z.enum(['created', 'recreated', 'started', 'unchanged']);

export const verifyStepSchema = z.object({
  id: z.enum([
    'mirror',
    'catalog-before',
    'engine',
    'clear-local',
    'pull',
    'catalog-after',
    'remove-local',
    'warm-pull',
  ]),
  title: z.string(),
  ok: z.boolean(),
  detail: z.string(),
  ms: z.number(),
});

export const verifyReportSchema = z.object({
  ok: z.boolean(),
  image: z.string(),
  pulledAs: z.string(),
  engineUsesMirror: z.boolean(),
  steps: z.array(verifyStepSchema),
});

assertSame<z.infer<typeof mirrorStateSchema>, MirrorState>(true);
assertSame<z.infer<typeof mirrorStatusSchema>, MirrorStatus>(true);
assertSame<z.infer<typeof pullProgressSchema>, PullProgress>(true);
assertSame<z.infer<typeof upActionSchema>, UpAction>(true);
assertSame<z.infer<typeof verifyStepSchema>, VerifyStep>(true);
assertSame<z.infer<typeof verifyReportSchema>, VerifyReport>(true);

/** What is running on the mirror right now, started from the tray or the UI; null when idle. */
export const operationSchema = z.enum(['up', 'down', 'restart', 'verify']).nullable();
export type Operation = z.infer<typeof operationSchema>;

export const progressSchema = z.discriminatedUnion('operation', [
  z.object({ operation: z.literal('up'), pull: pullProgressSchema }),
  z.object({ operation: z.literal('verify'), step: verifyStepSchema }),
]);
export type Progress = z.infer<typeof progressSchema>;

/** Upstream credentials as the UI sees them: whether they are set, and for whom. Never the password. */
export const credentialsStateSchema = z.object({
  configured: z.boolean(),
  username: z.string().nullable(),
});
export type CredentialsState = z.infer<typeof credentialsStateSchema>;

export const credentialsInputSchema = z.object({
  // Control characters would end up in the container's environment.
  username: z
    .string()
    .min(1, 'enter the user name')
    .max(256)
    .regex(/^[^\p{Cc}\s]+$/u, 'the user name may not contain spaces or control characters'),
  password: z
    .string()
    .min(1, 'enter the password or access token')
    .max(4096)
    .regex(/^[^\p{Cc}]+$/u, 'the password may not contain control characters'),
});

/** The login item as macOS reports it; `requires-approval` means System Settings > Login Items. */
export const loginItemStateSchema = z.object({
  openAtLogin: z.boolean(),
  status: z.enum(['enabled', 'not-registered', 'requires-approval', 'not-found', 'unsupported']),
  /** what the status means for the user, one sentence */
  message: z.string(),
});
export type LoginItemState = z.infer<typeof loginItemStateSchema>;

export const noticeSchema = z.object({
  id: z.string(),
  kind: z.enum([
    'settings-reset',
    'mirror-stopped',
    'docker-not-running',
    'over-quota',
    'login-item-approval',
    'operation-failed',
  ]),
  level: z.enum(['info', 'warning', 'error']),
  title: z.string(),
  message: z.string(),
  /** ISO time it was raised */
  at: z.string(),
});
export type Notice = z.infer<typeof noticeSchema>;
