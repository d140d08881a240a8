// The values that cross the IPC boundary, as zod schemas checked against the core's own types,
// so a field added to MirrorStatus (say) fails to compile until the contract carries it too.
import { z } from 'zod';
import type { PullProgress } from '../mirror/image.js';
import type { UpAction } from '../mirror/mirror.js';
import type { MirrorState, MirrorStatus } from '../mirror/status.js';
import type { VerifyReport, VerifyStep } from '../mirror/verify.js';
import type { PruneProgress, PruneResult } from '../cache/prune/execute.js';
import { isRepositoryName, isTagName } from '../cache/prune/names.js';
import type { CacheReport } from '../cache/report.js';
import type { ResetResult } from '../cache/reset.js';
import type { PruneSelection } from '../cache/service.js';
import type { CacheStatsView } from '../cache/stats/totals.js';
import type { ConfigureOutcome, EngineReport, UndoOutcome } from '../configure/engines/configure-engine.js';
import type { EngineKind, EngineState } from '../configure/engines/types.js';
import type { RegistryMachineResult } from '../configure/machine/registry-machine.js';

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
      registry: z.union([z.literal(2), z.literal(3)]).optional(),
      debugPort: z.number().optional(),
      hostPort: z.number().optional(),
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
  /** proxy: pulls go through to the upstream; offline: the cache alone, while the upstream is unreachable */
  mode: z.enum(['proxy', 'offline']).optional(),
  /** offline: how many repositories it serves ("offline: serving N cached repositories") */
  cachedRepositories: z.number().int().nonnegative().optional(),
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

/** What the app did by itself to keep the mirror serving (see app/mirror/keeper.ts). */
export const keeperEventSchema = z.discriminatedUnion('kind', [
  /** the upstream went away or came back: the container now runs in this mode */
  z.object({
    kind: z.literal('mode'),
    mode: z.enum(['proxy', 'offline']),
    previous: z.enum(['proxy', 'offline', 'unknown']),
    /** "offline: serving 12 cached repositories (upstream: ECONNREFUSED)" */
    message: z.string(),
    at: z.string(),
  }),
  /** the mirror was stopped or removed behind the app's back, and is back */
  z.object({
    kind: z.literal('recovered'),
    action: z.enum(['started', 'recreated']),
    from: mirrorStateSchema,
    ms: z.number(),
    message: z.string(),
    at: z.string(),
  }),
  /** a switch or a recovery failed; it is tried again later */
  z.object({ kind: z.literal('failed'), message: z.string(), at: z.string() }),
]);
export type KeeperEvent = z.infer<typeof keeperEventSchema>;

/** What is running on the mirror right now, started from the tray or the UI; null when idle. */
export const operationSchema = z.enum(['up', 'down', 'restart', 'verify', 'prune', 'reset']).nullable();
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
    'allowance-low',
    'settings-applied',
  ]),
  level: z.enum(['info', 'warning', 'error']),
  title: z.string(),
  message: z.string(),
  /** ISO time it was raised */
  at: z.string(),
});
export type Notice = z.infer<typeof noticeSchema>;

// ---- The cache: what is cached, prune plans and results, reset, history ----

export const cacheTagSchema = z.object({
  name: z.string(),
  digest: z.string().nullable(),
  lastPull: z.number(),
  pulls: z.number(),
});

export const cacheRepositorySchema = z.object({
  name: z.string(),
  tags: z.array(cacheTagSchema),
  totalBytes: z.number(),
  exclusiveBytes: z.number(),
  sharedBytes: z.number(),
  lastPull: z.number(),
  pulls: z.number(),
  digestPulls: z.number(),
});

export const blobCountersSchema = z.object({
  requests: z.number(),
  hits: z.number(),
  misses: z.number(),
  bytesFromCache: z.number(),
  bytesFromUpstream: z.number(),
});

export const proxyCountersSchema = z.object({
  requests: z.number(),
  hits: z.number(),
  misses: z.number(),
  bytesPulled: z.number(),
  bytesPushed: z.number(),
});

export const cacheStatsSchema = z.object({
  blobs: blobCountersSchema,
  manifests: proxyCountersSchema,
  hitRatio: z.number().nullable(),
  bytesSaved: z.number(),
  bytesFromUpstream: z.number(),
  bytesServed: z.number(),
  since: z.string(),
});

export const cacheReportSchema = z.object({
  scannedAt: z.number(),
  repositories: z.array(cacheRepositorySchema),
  totals: z.object({
    repositories: z.number(),
    tags: z.number(),
    blobBytes: z.number(),
    diskBytes: z.number(),
    orphanBytes: z.number(),
    uploads: z.object({ count: z.number(), bytes: z.number() }),
    missingLinks: z.number(),
  }),
  volume: z.object({ freeBytes: z.number(), totalBytes: z.number(), full: z.boolean() }),
  stats: cacheStatsSchema,
});

assertSame<z.infer<typeof cacheReportSchema>, CacheReport>(true);
assertSame<z.infer<typeof cacheStatsSchema>, CacheStatsView>(true);

/** Repository names and tags by the registry's grammar (the core's own check, again before any path). */
const repositoryNameSchema = z.string().refine(isRepositoryName, { error: 'not a repository name' });
const tagNameSchema = z.string().refine(isTagName, { error: 'not a tag name' });

export const pruneItemSchema = z.object({ repo: repositoryNameSchema, tag: tagNameSchema.optional() });

export const pruneSelectionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('items'), items: z.array(pruneItemSchema).min(1).max(100_000) }),
  z.object({ kind: z.literal('unused'), days: z.number().int().min(0).max(36_500) }),
  z.object({ kind: z.literal('shrink'), targetBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }),
  z.object({
    kind: z.literal('quota'),
    quotaBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable(),
  }),
]);
assertSame<z.infer<typeof pruneSelectionSchema>, PruneSelection>(true);

/** A plan as the UI sees it: what goes and what it frees. The directories and digests stay in main. */
export const prunePlanViewSchema = z.object({
  id: z.string(),
  createdAt: z.number(),
  reason: z.string(),
  repositories: z.array(z.string()),
  tags: z.array(z.object({ repo: z.string(), tag: z.string(), revisions: z.array(z.string()) })),
  /** the exact bytes garbage collection frees because of this plan */
  bytes: z.number(),
  /** blobs no repository references already; the same collection frees them too */
  orphanBytes: z.number(),
  totalBefore: z.number(),
  /** how many blobs go */
  blobs: z.number(),
});
export type PrunePlanView = z.infer<typeof prunePlanViewSchema>;

export const pruneResultSchema = z.object({
  planId: z.string(),
  previewBytes: z.number(),
  freedBytes: z.number(),
  orphanBytes: z.number(),
  gc: z.object({
    marked: z.number(),
    eligibleBlobs: z.number(),
    eligibleManifests: z.number(),
    ms: z.number(),
  }),
  downtimeMs: z.number(),
  collector: z.object({ kind: z.enum(['sweep', 'gc']), reason: z.string().optional() }),
  sweep: z.object({ rescued: z.number(), young: z.number(), waitedMs: z.number() }).optional(),
  mode: z.enum(['proxy', 'offline']).optional(),
});
assertSame<z.infer<typeof pruneResultSchema>, PruneResult>(true);

export const resetResultSchema = z.object({
  freedBytes: z.number(),
  repositoriesRemoved: z.number(),
  status: mirrorStatusSchema,
});
assertSame<z.infer<typeof resetResultSchema>, ResetResult>(true);

export const pruneStepSchema = z.enum([
  'planned',
  'stopped',
  'removing',
  'removed',
  'collecting',
  'collected',
  'started',
  'done',
]);
assertSame<z.infer<typeof pruneStepSchema>, PruneProgress['step']>(true);

export const resetStepSchema = z.enum(['stopping', 'deleting', 'starting', 'done']);

export const cacheProgressSchema = z.discriminatedUnion('operation', [
  z.object({
    operation: z.literal('prune'),
    step: pruneStepSchema,
    /** 0..1 */
    fraction: z.number(),
    message: z.string(),
  }),
  z.object({
    operation: z.literal('reset'),
    step: resetStepSchema,
    fraction: z.number(),
    message: z.string(),
  }),
]);
export type CacheProgress = z.infer<typeof cacheProgressSchema>;

export const cacheChangeSchema = z.object({
  /** pulled: the mirror served a pull; pruned/reset: the user took something away; sampled: a size sample */
  reason: z.enum(['pulled', 'pruned', 'reset', 'sampled']),
  at: z.number(),
});
export type CacheChange = z.infer<typeof cacheChangeSchema>;

export const historySampleSchema = z.object({
  /** ms since epoch */
  at: z.number(),
  /** deduplicated blob bytes */
  bytes: z.number(),
  repositories: z.number(),
});
export type HistorySample = z.infer<typeof historySampleSchema>;

export const tagSizeSchema = z.object({
  name: z.string(),
  digest: z.string().nullable(),
  /** bytes of the blobs this tag's image (every platform the cache holds) is made of */
  bytes: z.number(),
});
export type TagSize = z.infer<typeof tagSizeSchema>;

// ---- Upstream reachability ----

/** Docker Hub's pull allowance as its headers state it (app/mirror/allowance.ts). */
export const allowanceSchema = z.object({
  limit: z.number().int().nonnegative(),
  remaining: z.number().int().nonnegative(),
  /** the window the limit counts over, in seconds (21,600: six hours) */
  windowSeconds: z.number().int().positive(),
  /** whose allowance: this IP's anonymous one, or the account's */
  as: z.enum(['anonymous', 'account']),
  /** what Docker Hub counts against (the IP address, or the account) */
  source: z.string().optional(),
  checkedAt: z.string(),
});
export type Allowance = z.infer<typeof allowanceSchema>;

export const upstreamStateSchema = z.object({
  url: z.string(),
  reachable: z.boolean(),
  reason: z.string().optional(),
  ms: z.number(),
  checkedAt: z.string(),
  /** the pull allowance, when the upstream states one (Docker Hub does); read every few minutes */
  allowance: allowanceSchema.optional(),
});
export type UpstreamState = z.infer<typeof upstreamStateSchema>;

// ---- Docker engines: detect, configure, undo, docker-machine ----

export const engineKindSchema = z.enum(['docker-desktop', 'linux-dockerd', 'colima', 'orbstack', 'machine']);
export const engineStateSchema = z.enum(['not-configured', 'configured-not-applied', 'using-mirror']);
assertSame<z.infer<typeof engineKindSchema>, EngineKind>(true);
assertSame<z.infer<typeof engineStateSchema>, EngineState>(true);

export const engineReportSchema = z.object({
  name: z.string(),
  kind: engineKindSchema,
  detected: z.boolean(),
  how: z.string(),
  configFile: z.string(),
  mirrorUrl: z.string().nullable(),
  state: engineStateSchema,
  configured: z.boolean(),
  engineMirrors: z.array(z.string()).nullable(),
  plan: z.array(z.string()),
  undoRecords: z.number(),
  note: z.string().optional(),
});
assertSame<z.infer<typeof engineReportSchema>, EngineReport>(true);

export const enginesListSchema = z.object({
  engines: z.array(engineReportSchema),
  /** things found (or not) along the way, e.g. "docker-machine is not installed" */
  notes: z.array(z.string()),
  /** registry-mirrors only ever applies to Docker Hub images */
  hubOnlyNote: z.string(),
  machines: z.object({
    /** docker-machine answered */
    available: z.boolean(),
    registryMachine: z.string(),
    /** what other machines use as mirror; null while there is no registry machine running */
    registryUrl: z.string().nullable(),
    /** the flags for `docker-machine create` of a machine that should use it */
    newMachineFlags: z.array(z.string()),
  }),
});
export type EnginesList = z.infer<typeof enginesListSchema>;

export const configureOutcomeSchema = z.object({
  engine: z.string(),
  mirrorUrl: z.string(),
  changed: z.boolean(),
  applied: z.string().nullable(),
  verified: z.boolean(),
  state: engineStateSchema,
  engineMirrors: z.array(z.string()).nullable(),
  steps: z.array(z.string()),
});
assertSame<z.infer<typeof configureOutcomeSchema>, ConfigureOutcome>(true);

export const undoOutcomeSchema = z.object({
  engine: z.string(),
  undone: z.number(),
  applied: z.string().nullable(),
  verified: z.boolean(),
  engineMirrors: z.array(z.string()).nullable(),
  steps: z.array(z.string()),
});
assertSame<z.infer<typeof undoOutcomeSchema>, UndoOutcome>(true);

/** engines.configure / engines.undo: `docker-desktop`, `linux-dockerd`, `colima:PROFILE`, `machine:NAME`… */
export const engineNameSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[a-z][a-z-]*(?::[a-zA-Z0-9][a-zA-Z0-9._-]{0,62})?$/, 'not an engine name');

export const registryMachineInputSchema = z.object({
  /** default registry-proxy-cache */
  name: z
    .string()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9.-]{0,62}$/, 'use letters, digits, "." and "-" (not first), at most 63')
    .optional(),
  driver: z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'not a docker-machine driver name'),
  driverOptions: z
    .record(
      // Bounded like the values: docker-machine's longest option names are about 40 characters.
      z
        .string()
        .max(100, 'not a driver option')
        .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'not a driver option'),
      z.union([z.string().max(1000), z.literal(true)]),
    )
    .optional(),
  /** an existing machine of that name is removed (and everything in it) only when this is true */
  replaceExisting: z.boolean().default(false),
});

export const registryMachineResultSchema = z.object({
  machine: z.string(),
  ip: z.string(),
  removed: z.boolean(),
  mirrorUrl: z.string(),
  status: mirrorStatusSchema,
  newMachineFlags: z.array(z.string()),
  engineUsesMirror: z.boolean(),
});
assertSame<z.infer<typeof registryMachineResultSchema>, RegistryMachineResult>(true);

export const engineStepSchema = z.object({ engine: z.string(), line: z.string() });
