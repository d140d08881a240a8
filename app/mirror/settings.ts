// The mirror's settings: one zod schema, so the CLI, the app and the IPC contract validate alike.
import { isIP } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { defaultPaths } from '../settings/paths.js';
import { dataDirProblem } from './data-dir.js';

export const DOCKER_HUB = 'https://registry-1.docker.io';
// Distribution 3.x: one upstream fetch per cold miss where 2.8 makes two, faster cold and warm pulls
// (docs/benchmarks.md). Settings written before it keep the image they had (migrations.ts).
export const DEFAULT_IMAGE = 'registry:3';
export const DEFAULT_CONTAINER = 'docker-registry-proxy-cache';
export const MIRROR_LABEL = 'io.drpc.managed';

// A docker image reference: [host[:port]/]path[:tag][@digest] (simplified from distribution/reference).
const IMAGE_REF =
  /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

export const portSchema = z
  .number({ error: 'port must be a number' })
  .int('port must be a whole number')
  .min(1, 'port must be between 1 and 65535')
  .max(65535, 'port must be between 1 and 65535');

export const upstreamUrlSchema = z.string({ error: 'upstream must be text' }).refine(
  (v) => {
    try {
      const u = new URL(v);
      return (
        (u.protocol === 'http:' || u.protocol === 'https:') && !!u.hostname && !u.username && !u.password
      );
    } catch {
      return false;
    }
  },
  {
    error:
      'upstream must be an http:// or https:// URL without credentials in it, like https://registry-1.docker.io',
  },
);

export const mirrorSettingsSchema = z.object({
  port: portSchema,
  bindAddress: z
    .string({ error: 'bind address must be text' })
    .refine((v) => isIP(v) !== 0, { error: 'bind address must be an IP address like 127.0.0.1' }),
  upstreamUrl: upstreamUrlSchema,
  image: z
    .string({ error: 'image must be text' })
    .max(255, 'image must be at most 255 characters')
    .regex(IMAGE_REF, 'image must be a Docker image reference like registry:3'),
  dataDir: z
    .string({ error: 'data directory must be text' })
    .max(4096, 'data directory must be at most 4096 characters')
    .superRefine((v, ctx) => {
      const problem = dataDirProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: `data directory ${problem}` });
    }),
  containerName: z
    .string({ error: 'container name must be text' })
    .regex(CONTAINER_NAME, 'container name may use letters, digits, _ . - (max 128)'),
  /** a Docker network the mirror joins besides its own, so other containers (a kind cluster) reach it */
  network: z
    .string({ error: 'network must be text or null' })
    .regex(CONTAINER_NAME, 'network name may use letters, digits, _ . -')
    .nullable(),
  restartPolicy: z.enum(['unless-stopped', 'always', 'no'], {
    error: 'restart policy must be unless-stopped, always or no',
  }),
  /**
   * Recreate the mirror container when it is removed behind our back (the app, `drpc watch`); a stopped
   * one is started again either way. Optional so every older settings file means the same: absent is on.
   */
  autoRecreate: z.boolean({ error: 'recreate when removed must be true or false' }).optional(),
  /**
   * A PEM file on this machine with the CA that signed the upstream's certificate (a team mirror or a
   * registry behind a private CA): the mirror trusts it besides the usual roots. Optional: absent, none.
   */
  upstreamCaFile: z
    .string({ error: 'upstream CA must be a file path' })
    .max(4096, 'upstream CA must be at most 4096 characters')
    .refine((v) => isAbsolute(v), { error: 'upstream CA must be an absolute path to a PEM file' })
    .nullable()
    .optional(),
});

export type MirrorSettings = z.infer<typeof mirrorSettingsSchema>;

/** Whether a removed mirror is recreated: on unless the settings turn it off. */
export function recreatesMirror(s: Pick<MirrorSettings, 'autoRecreate'>): boolean {
  return s.autoRecreate !== false;
}

export interface UpstreamCredentials {
  username: string;
  password: string;
}

export function defaultMirrorSettings(env: NodeJS.ProcessEnv = process.env): MirrorSettings {
  return {
    port: 5000,
    bindAddress: '127.0.0.1',
    upstreamUrl: DOCKER_HUB,
    image: DEFAULT_IMAGE,
    dataDir: defaultPaths(env).mirrorHome,
    containerName: DEFAULT_CONTAINER,
    network: null,
    restartPolicy: 'unless-stopped',
    autoRecreate: true,
  };
}

/** The two host directories the container mounts. */
export function mirrorDirs(s: Pick<MirrorSettings, 'dataDir'>): { config: string; data: string } {
  return { config: join(s.dataDir, 'config'), data: join(s.dataDir, 'data') };
}

/**
 * What each setting is called where a person types it: in the app's Settings view (every message
 * above starts with this label) and on the command line (its flag; none: only in the settings file).
 */
export const SETTING_NAMES: Record<keyof MirrorSettings, { label: string; flag?: string }> = {
  port: { label: 'port', flag: '--port' },
  bindAddress: { label: 'bind address', flag: '--bind' },
  upstreamUrl: { label: 'upstream', flag: '--upstream' },
  image: { label: 'image', flag: '--image' },
  dataDir: { label: 'data directory', flag: '--data-dir' },
  containerName: { label: 'container name', flag: '--name' },
  network: { label: 'network', flag: '--network' },
  restartPolicy: { label: 'restart policy' },
  autoRecreate: { label: 'recreate when removed' },
  upstreamCaFile: { label: 'upstream CA', flag: '--upstream-ca' },
};

/**
 * How describeIssues names a setting: `label` as the app shows it ("port must be …"), `flags` as the
 * command line takes it ("--port must be …"), `file` with the settings file's key appended.
 */
export type SettingNaming = 'label' | 'flags' | 'file';

function issueText(issue: z.ZodError['issues'][number], naming: SettingNaming): string {
  const path = issue.path.map(String);
  const field = path.at(-1) as keyof MirrorSettings | undefined;
  const flag = field !== undefined ? SETTING_NAMES[field]?.flag : undefined;
  if (naming === 'flags' && flag && field) {
    // Every message starts with the setting's label: the flag takes its place.
    const { label } = SETTING_NAMES[field];
    return issue.message.startsWith(label)
      ? `${flag}${issue.message.slice(label.length)}`
      : `${flag}: ${issue.message}`;
  }
  if (naming === 'file' && path.length) {
    // In the settings file the mirror's settings sit under "mirror".
    return `${issue.message} (key ${path.length === 1 ? `mirror.${field}` : path.join('.')})`;
  }
  return issue.message;
}

/** One message a person can act on, from a zod error, naming each setting the way they would. */
export function describeIssues(error: z.ZodError, naming: SettingNaming = 'label'): string {
  return error.issues.map((i) => issueText(i, naming)).join('; ');
}
