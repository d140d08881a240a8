// containerd's way to a mirror: a hosts directory (`config_path`, e.g. /etc/containerd/certs.d, or
// `ctr --hosts-dir`, nerdctl's and Docker Engine 28+'s containerd image store's certs.d) holding one
// `<registry>/hosts.toml` per registry. Pulls of that registry try each [host] first and fall back to
// `server`. https://github.com/containerd/containerd/blob/main/docs/hosts.md
//
// The file is ours outright: written whole, with a first line that says so; one we did not write is
// never overwritten or removed (the user's, or another tool's), and undo removes only ours.
//
// The mirror host gets `dial_timeout = "1s"` (containerd's hosts.md: "A shorter timeout helps reduce
// delays when falling back to the original registry if the mirror is unreachable", default 30s; read
// by core/remotes/docker/config/hosts.go's hostFileConfig). Older containerd versions, whose decoder
// does not know the key, ignore it (go-toml's Unmarshal ignores unknown keys unless made strict).
import { mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DOCKER_HUB } from '../../mirror/settings.js';
import { checkEntries, checkRegistry, checkServerUrl } from '../clients/entries.js';
import { configureError } from '../errors.js';

export const OURS = '# Written by docker-registry-proxy-cache (drpc). drpc removes it on undo.';

/** Where pulls of a registry go when no mirror answers. */
const SERVERS: Record<string, string> = { 'docker.io': DOCKER_HUB };

export interface HostsEntry {
  /** the registry as images name it: docker.io, ghcr.io, quay.io … */
  registry: string;
  /** the mirror for it, e.g. http://localhost:5000 */
  mirrorUrl: string;
  /** the registry itself, when the mirror does not answer (the mirror's upstream); see SERVERS */
  server?: string;
}

/** The hosts.toml text for one registry and its mirror. */
export function hostsToml(e: HostsEntry): string {
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d+)?$/.test(e.registry))
    throw configureError('BAD_NAME', `"${e.registry}" is not a registry host name`);
  const mirror = new URL(e.mirrorUrl);
  if (mirror.protocol !== 'http:' && mirror.protocol !== 'https:')
    throw configureError('BAD_NAME', `the mirror must be an http or https URL (got "${e.mirrorUrl}")`);
  const server =
    e.server !== undefined ? checkServerUrl(e.server) : (SERVERS[e.registry] ?? `https://${e.registry}`);
  const host = `${mirror.protocol}//${mirror.host}`;
  return [
    OURS,
    `# Pulls of ${e.registry} try the local mirror first, then ${server}.`,
    `server = ${JSON.stringify(server)}`,
    '',
    `[host.${JSON.stringify(host)}]`,
    '  capabilities = ["pull", "resolve"]',
    `  dial_timeout = ${JSON.stringify(DIAL_TIMEOUT)}`,
    '',
  ].join('\n');
}

/** How long containerd waits to connect to the mirror before it falls back to the registry itself. */
export const DIAL_TIMEOUT = '1s';

export interface HostsChange {
  file: string;
  action: 'created' | 'updated' | 'unchanged' | 'removed' | 'absent';
}

/** Writes `<dir>/<registry>/hosts.toml` (atomically); refuses a file there that is not ours. */
export async function writeHostsEntry(dir: string, e: HostsEntry): Promise<HostsChange> {
  const text = hostsToml(e);
  const file = join(dir, e.registry, 'hosts.toml');
  const before = await readFile(file, 'utf8').catch(() => undefined);
  if (before !== undefined && !before.startsWith(OURS))
    throw configureError(
      'INVALID_CONFIG',
      `${file} exists and was not written by drpc: add the mirror to it by hand, or move it away and run this again`,
    );
  if (before === text) return { file, action: 'unchanged' };
  await mkdir(join(dir, e.registry), { recursive: true });
  const tmp = `${file}.drpc-${process.pid}`;
  await writeFile(tmp, text, { mode: 0o644 });
  await rename(tmp, file);
  return { file, action: before === undefined ? 'created' : 'updated' };
}

/** Removes our `<dir>/<registry>/hosts.toml` (and the directory if it is then empty); leaves others'. */
export async function removeHostsEntry(dir: string, registry: string): Promise<HostsChange> {
  const file = join(dir, registry, 'hosts.toml');
  const before = await readFile(file, 'utf8').catch(() => undefined);
  if (before === undefined) return { file, action: 'absent' };
  if (!before.startsWith(OURS))
    throw configureError('INVALID_CONFIG', `${file} was not written by drpc: it is left as it is`);
  await rm(file);
  await rmdir(join(dir, registry)).catch(() => {}); // not empty: the user's certificates stay
  return { file, action: 'removed' };
}

export interface HostsPlan extends HostsChange {
  /** the text the file holds after apply */
  text: string;
}

async function planOne(dir: string, e: HostsEntry): Promise<HostsPlan> {
  const text = hostsToml(e);
  const file = join(dir, e.registry, 'hosts.toml');
  const before = await readFile(file, 'utf8').catch(() => undefined);
  if (before !== undefined && !before.startsWith(OURS))
    throw configureError(
      'INVALID_CONFIG',
      `${file} exists and was not written by drpc: add the mirror to it by hand, or move it away and run this again`,
    );
  return { file, text, action: before === undefined ? 'created' : before === text ? 'unchanged' : 'updated' };
}

/** What apply would do for every registry; nothing is written. Bad input or a file not ours throws. */
export async function previewHostsDir(dir: string, entries: readonly HostsEntry[]): Promise<HostsPlan[]> {
  const checked = checkEntries(entries);
  const plans: HostsPlan[] = [];
  for (const e of checked) plans.push(await planOne(dir, e));
  return plans;
}

/** One hosts.toml per registry; every file is checked before the first is written. */
export async function writeHostsDir(dir: string, entries: readonly HostsEntry[]): Promise<HostsChange[]> {
  const plans = await previewHostsDir(dir, entries);
  const done: HostsChange[] = [];
  for (const e of checkEntries(entries)) done.push(await writeHostsEntry(dir, e));
  return done.map((d, i) => ({ ...d, action: plans[i]!.action }));
}

/** Reads the files again: each registry's hosts.toml is exactly the one we write. */
export async function verifyHostsDir(
  dir: string,
  entries: readonly HostsEntry[],
): Promise<{ ok: boolean; missing: string[] }> {
  const missing: string[] = [];
  for (const e of checkEntries(entries)) {
    const file = join(dir, e.registry, 'hosts.toml');
    const now = await readFile(file, 'utf8').catch(() => undefined);
    if (now !== hostsToml(e))
      missing.push(
        now === undefined
          ? `${file} does not exist`
          : `${file} is not the one drpc writes for ${e.mirrorUrl}`,
      );
  }
  return { ok: missing.length === 0, missing };
}

/** Removes our hosts.toml of each registry; a file we did not write is reported and left. */
export async function removeHostsDir(dir: string, registries: readonly string[]): Promise<HostsChange[]> {
  const done: HostsChange[] = [];
  for (const r of registries) done.push(await removeHostsEntry(dir, checkRegistry(r)));
  return done;
}

/** Removes every hosts.toml drpc wrote under `dir` (undo with no list of registries); others stay. */
export async function removeOurHostsFiles(dir: string): Promise<HostsChange[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const done: HostsChange[] = [];
  for (const name of names.sort()) {
    const text = await readFile(join(dir, name, 'hosts.toml'), 'utf8').catch(() => undefined);
    if (text?.startsWith(OURS)) done.push(await removeHostsEntry(dir, name));
  }
  return done;
}
