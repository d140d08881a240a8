// Registries besides Docker Hub (ghcr.io, quay.io, registry.k8s.io, ...), each cached by a mirror of its
// own: one Distribution registry proxies exactly one upstream ("only one upstream registry at a time",
// Distribution's mirror recipe), so each registry gets its own container, port, store and app home, and
// runs the same code as the Docker Hub mirror (the same startup sequence, lock, keeper, offline mode,
// scan, stats and prune): a registry's mirror is the main mirror's settings with these four changed.
import { join } from 'node:path';
import { z } from 'zod';
import {
  mirrorSettingsSchema,
  portSchema,
  upstreamUrlSchema,
  type MirrorSettings,
} from '../mirror/settings.js';
import { AppError } from '../util/errors.js';

/** The public registries people pull from besides Docker Hub, and where each one's registry API is. */
export const KNOWN_REGISTRIES: Readonly<Record<string, string>> = {
  'ghcr.io': 'https://ghcr.io',
  'quay.io': 'https://quay.io',
  'registry.k8s.io': 'https://registry.k8s.io',
  'gcr.io': 'https://gcr.io',
  'public.ecr.aws': 'https://public.ecr.aws',
  'mcr.microsoft.com': 'https://mcr.microsoft.com',
};

/** Docker Hub's names: its images go through the main mirror (dockerd's registry-mirrors). */
const DOCKER_HUB_HOSTS = new Set([
  'docker.io',
  'registry-1.docker.io',
  'index.docker.io',
  'registry.hub.docker.com',
]);

export function isDockerHubHost(host: string): boolean {
  return DOCKER_HUB_HOSTS.has(host.toLowerCase());
}

// A registry host as image references name it: DNS labels with at least one dot, lower case, an
// optional port (containerd's hosts directory uses the same names).
const HOST =
  /^(?=[^:]{1,253}(?::|$))[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+(?::\d{1,5})?$/;

export const registryHostSchema = z
  .string({ error: 'registry must be text' })
  .regex(HOST, 'registry must be a host name as images name it, like ghcr.io or registry.example.com:5000');

export const registryEntrySchema = z.object({
  host: registryHostSchema,
  upstreamUrl: upstreamUrlSchema,
  port: portSchema,
  enabled: z.boolean({ error: 'enabled must be true or false' }),
  /** its upstream's CA (a private registry), as the main mirror's upstreamCaFile; absent: none */
  upstreamCaFile: mirrorSettingsSchema.shape.upstreamCaFile,
});
export type RegistryEntry = z.infer<typeof registryEntrySchema>;

export const registryListSchema = z
  .array(registryEntrySchema, { error: 'registries must be a list' })
  .max(32, 'at most 32 registries')
  .superRefine((list, ctx) => {
    const hosts = new Set<string>();
    const ports = new Set<number>();
    for (const e of list) {
      if (hosts.has(e.host)) ctx.addIssue({ code: 'custom', message: `${e.host} is listed twice` });
      if (ports.has(e.port))
        ctx.addIssue({ code: 'custom', message: `port ${e.port} is given to two registries` });
      if (isDockerHubHost(e.host))
        ctx.addIssue({ code: 'custom', message: `${e.host} is Docker Hub: the main mirror caches it` });
      hosts.add(e.host);
      ports.add(e.port);
    }
  });

/** A host as a file and container name part (a port's colon is not allowed in container names). */
export function slugOf(host: string): string {
  return host.replace(':', '-');
}

/** The registry's mirror: the main mirror's settings with its own port, upstream, container and store. */
export function registryMirrorSettings(main: MirrorSettings, e: RegistryEntry): MirrorSettings {
  const slug = slugOf(e.host);
  return {
    ...main,
    port: e.port,
    upstreamUrl: e.upstreamUrl,
    // Its own CA or none: the main mirror's (a team mirror's, say) is not this registry's.
    upstreamCaFile: e.upstreamCaFile ?? null,
    containerName: `${main.containerName}-${slug}`.slice(0, 128),
    // Beside the main store, never inside it: a reset of one cache leaves the others alone.
    dataDir: `${main.dataDir}-${slug}`,
  };
}

/** Where a registry's mirror keeps its lock, socket, keeper log, pull records and stats. */
export function registryHome(configDir: string, host: string): string {
  return join(configDir, 'registries', slugOf(host));
}

export function findRegistry(list: readonly RegistryEntry[], host: string): RegistryEntry | undefined {
  const h = host.toLowerCase();
  return list.find((e) => e.host === h);
}

export interface NewRegistry {
  host: string;
  upstreamUrl?: string;
  port?: number;
}

/**
 * The list with one registry added: its upstream known or https://<host>, its port the one asked for
 * or the first after the main mirror's that no mirror uses and `portFree` says is free. Throws
 * INVALID_INPUT (nothing changes) for Docker Hub, a host already listed, a port another mirror has.
 */
export async function addRegistry(
  list: readonly RegistryEntry[],
  main: Pick<MirrorSettings, 'port'>,
  add: NewRegistry,
  portFree: (port: number) => Promise<boolean>,
): Promise<RegistryEntry[]> {
  const host = registryHostSchema.safeParse(add.host.toLowerCase());
  if (!host.success) throw new AppError('INVALID_INPUT', host.error.issues[0]!.message);
  if (isDockerHubHost(host.data))
    throw new AppError('INVALID_INPUT', `${host.data} is Docker Hub: the main mirror already caches it`);
  if (findRegistry(list, host.data))
    throw new AppError('INVALID_INPUT', `${host.data} is already one of the registries`);
  const taken = new Set([main.port, ...list.map((e) => e.port)]);
  let port = add.port;
  if (port !== undefined) {
    if (taken.has(port))
      throw new AppError('INVALID_INPUT', `port ${port} is already another mirror's: choose another`);
  } else {
    for (let p = main.port + 1; p <= 65535 && port === undefined; p++)
      if (!taken.has(p) && (await portFree(p))) port = p;
    if (port === undefined)
      throw new AppError('INVALID_INPUT', 'no free port above the mirror’s: give --port');
  }
  const entry = registryEntrySchema.safeParse({
    host: host.data,
    upstreamUrl: add.upstreamUrl ?? KNOWN_REGISTRIES[host.data] ?? `https://${host.data}`,
    port,
    enabled: true,
  });
  if (!entry.success) throw new AppError('INVALID_INPUT', entry.error.issues[0]!.message);
  return [...list, entry.data];
}

/** The list with one registry changed (port, upstream, enabled), validated against the others. */
export function changeRegistry(
  list: readonly RegistryEntry[],
  main: Pick<MirrorSettings, 'port'>,
  host: string,
  change: Partial<Omit<RegistryEntry, 'host'>>,
): RegistryEntry[] {
  const current = findRegistry(list, host);
  if (!current) throw notListed(host);
  const next = { ...current, ...change };
  if (
    change.port !== undefined &&
    (change.port === main.port || list.some((e) => e !== current && e.port === change.port))
  )
    throw new AppError('INVALID_INPUT', `port ${change.port} is already another mirror's: choose another`);
  const parsed = registryEntrySchema.safeParse(next);
  if (!parsed.success) throw new AppError('INVALID_INPUT', parsed.error.issues[0]!.message);
  return list.map((e) => (e === current ? parsed.data : e));
}

export function removeRegistry(list: readonly RegistryEntry[], host: string): RegistryEntry[] {
  const current = findRegistry(list, host);
  if (!current) throw notListed(host);
  return list.filter((e) => e !== current);
}

export function notListed(host: string): AppError {
  return new AppError(
    'INVALID_INPUT',
    `${host} is not one of the registries: drpc registries add ${host} sets up a mirror for it`,
  );
}
