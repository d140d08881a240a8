// Clients that bypass dockerd's registry-mirrors (issue 14, part 2), each pointed at one mirror per
// upstream registry. The API the CLI (`drpc clients`) and the app use:
//
//   previewClient  what would change, file by file, with the new text; nothing is written
//   applyClient    write it (atomically); user-owned files get an undo record (ClientUndoStore)
//   verifyClient   read it back: are all our entries there?
//   undoClient     revert: user-owned files byte for byte (or only our entries if the user edited
//                  since), generated files removed if they are still ours
//
//   client     file                                       owner
//   hosts-dir  DIR/<registry>/hosts.toml (containerd)     drpc (whole files)
//   buildkit   buildkitd.toml                             the user (spliced)
//   podman     registries.conf (v2)                       the user (spliced)
//   k3d        registries.yaml for --registry-config      drpc (whole file)
//   kind       cluster config + DIR/<registry>/hosts.toml drpc (whole files)
import { dirname, join } from 'node:path';
import {
  previewHostsDir,
  removeOurHostsFiles,
  verifyHostsDir,
  writeHostsDir,
} from '../containerd/hosts-dir.js';
import { configureError } from '../errors.js';
import {
  applyClientFile,
  previewClientFile,
  undoClientFile,
  verifyClientFile,
  type EditedClient,
} from './client-file.js';
import { checkEntries, type MirrorEntry } from './entries.js';
import { k3dRegistriesYaml } from './k3d-registries.js';
import { kindConfigYaml } from './kind-config.js';
import { previewOwnedFile, removeOwnedFile, verifyOwnedFile, writeOwnedFile } from './owned-file.js';
import type { ClientUndoStore } from './undo-records.js';

export { checkEntries, type MirrorEntry } from './entries.js';
export { ClientUndoStore } from './undo-records.js';

export const CLIENTS = ['hosts-dir', 'buildkit', 'podman', 'k3d', 'kind'] as const;
export type Client = (typeof CLIENTS)[number];

export interface ClientTarget {
  client: Client;
  /** buildkit, podman, k3d, kind: the file */
  file?: string;
  /** hosts-dir: the hosts directory; kind: where its hosts.toml files go (default: certs.d beside the file) */
  dir?: string;
  /** kind: worker nodes besides the control plane */
  workers?: number;
}

export interface FileChange {
  file: string;
  action:
    | 'created'
    | 'updated'
    | 'unchanged'
    | 'removed'
    | 'absent'
    | 'restored'
    | 'deleted'
    | 'removed-entries'
    | 'nothing';
  text?: string;
}

export function isClient(name: string): name is Client {
  return (CLIENTS as readonly string[]).includes(name);
}

function need(t: ClientTarget, what: 'file' | 'dir'): string {
  const v = t[what];
  if (!v)
    throw configureError(
      'BAD_NAME',
      what === 'file'
        ? `name the ${t.client} file to configure (--file PATH)`
        : 'name the hosts directory (--dir DIR)',
    );
  return v;
}

const kindDir = (t: ClientTarget) => t.dir ?? join(dirname(need(t, 'file')), 'certs.d');

const isEdited = (c: Client): c is EditedClient => c === 'buildkit' || c === 'podman';

export async function previewClient(t: ClientTarget, entries: readonly MirrorEntry[]): Promise<FileChange[]> {
  if (isEdited(t.client)) {
    const p = await previewClientFile(t.client, need(t, 'file'), entries);
    return [
      { file: p.path, action: !p.changed ? 'unchanged' : p.exists ? 'updated' : 'created', text: p.text },
    ];
  }
  switch (t.client) {
    case 'hosts-dir':
      return previewHostsDir(need(t, 'dir'), entries);
    case 'k3d':
      return [await previewOwnedFile(need(t, 'file'), k3dRegistriesYaml(entries))];
    case 'kind': {
      const config = kindConfigYaml(entries, kindDir(t), t.workers);
      return [
        ...(await previewHostsDir(kindDir(t), checkEntries(entries))),
        await previewOwnedFile(need(t, 'file'), config),
      ];
    }
  }
}

export async function applyClient(
  t: ClientTarget,
  entries: readonly MirrorEntry[],
  store: ClientUndoStore,
): Promise<FileChange[]> {
  const plan = await previewClient(t, entries); // every check before the first write
  if (isEdited(t.client)) {
    const r = await applyClientFile(t.client, need(t, 'file'), entries, store);
    return [{ file: r.path, action: !r.changed ? 'unchanged' : r.created ? 'created' : 'updated' }];
  }
  switch (t.client) {
    case 'hosts-dir':
      await writeHostsDir(need(t, 'dir'), entries);
      break;
    case 'k3d':
      await writeOwnedFile(need(t, 'file'), k3dRegistriesYaml(entries));
      break;
    case 'kind':
      await writeHostsDir(kindDir(t), entries);
      await writeOwnedFile(need(t, 'file'), kindConfigYaml(entries, kindDir(t), t.workers));
      break;
  }
  return plan.map(({ file, action }) => ({ file, action }));
}

export async function verifyClient(
  t: ClientTarget,
  entries: readonly MirrorEntry[],
): Promise<{ ok: boolean; missing: string[] }> {
  if (isEdited(t.client)) return verifyClientFile(t.client, need(t, 'file'), entries);
  let missing: string[] = [];
  switch (t.client) {
    case 'hosts-dir':
      missing = (await verifyHostsDir(need(t, 'dir'), entries)).missing;
      break;
    case 'k3d':
      missing = await verifyOwnedFile(need(t, 'file'), k3dRegistriesYaml(entries));
      break;
    case 'kind':
      missing = [
        ...(await verifyHostsDir(kindDir(t), entries)).missing,
        ...(await verifyOwnedFile(need(t, 'file'), kindConfigYaml(entries, kindDir(t), t.workers))),
      ];
      break;
  }
  return { ok: missing.length === 0, missing };
}

export async function undoClient(t: ClientTarget, store: ClientUndoStore): Promise<FileChange[]> {
  if (isEdited(t.client))
    return (await undoClientFile(t.client, need(t, 'file'), store)).map((u) => ({
      file: u.path,
      action: u.action,
    }));
  switch (t.client) {
    case 'hosts-dir':
      return removeOurHostsFiles(need(t, 'dir'));
    case 'k3d':
      return [await removeOwnedFile(need(t, 'file'))];
    case 'kind':
      return [...(await removeOurHostsFiles(kindDir(t))), await removeOwnedFile(need(t, 'file'))];
  }
}
