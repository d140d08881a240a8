// The mirror's settings: one zod schema, so the CLI, the app and the IPC contract validate alike.
import { isIP } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { defaultPaths } from '../settings/paths.js';

export const DOCKER_HUB = 'https://registry-1.docker.io';
export const DEFAULT_IMAGE = 'registry:2';
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

export const upstreamUrlSchema = z.string().refine(
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
    .string()
    .refine((v) => isIP(v) !== 0, { error: 'bind address must be an IP address like 127.0.0.1' }),
  upstreamUrl: upstreamUrlSchema,
  image: z.string().max(255).regex(IMAGE_REF, 'image must be a Docker image reference like registry:2'),
  dataDir: z.string().max(4096).refine(isAbsolute, { error: 'data directory must be an absolute path' }),
  containerName: z.string().regex(CONTAINER_NAME, 'container name may use letters, digits, _ . - (max 128)'),
  /** a Docker network the mirror joins besides its own, so other containers (a kind cluster) reach it */
  network: z.string().regex(CONTAINER_NAME, 'network name may use letters, digits, _ . -').nullable(),
  restartPolicy: z.enum(['unless-stopped', 'always', 'no']),
  /**
   * Recreate the mirror container when it is removed behind our back (the app, `drpc watch`); a stopped
   * one is started again either way. Optional so every older settings file means the same: absent is on.
   */
  autoRecreate: z.boolean().optional(),
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

/** One message a person can act on, from a zod error. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}
