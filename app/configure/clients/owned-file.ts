// Files drpc generates and owns outright (k3d's registries.yaml, the kind cluster config): written
// whole, atomically, with a first line that says so. A file there that we did not write is never
// overwritten or removed, and undo removes only ours.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { configureError } from '../errors.js';

export const OWNED = '# Written by docker-registry-proxy-cache (drpc). drpc removes it on undo.';

export interface OwnedChange {
  file: string;
  action: 'created' | 'updated' | 'unchanged' | 'removed' | 'absent';
  /** the text the file holds (after apply or preview) */
  text?: string;
}

async function current(file: string): Promise<string | undefined> {
  const now = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw configureError('INVALID_CONFIG', `cannot read ${file}: ${err.message}`);
  });
  if (now !== undefined && !now.startsWith(OWNED))
    throw configureError(
      'INVALID_CONFIG',
      `${file} exists and was not written by drpc; it was left as it is: choose another file (--file)`,
    );
  return now;
}

export async function previewOwnedFile(file: string, text: string): Promise<OwnedChange> {
  const now = await current(file);
  return { file, text, action: now === undefined ? 'created' : now === text ? 'unchanged' : 'updated' };
}

export async function writeOwnedFile(file: string, text: string): Promise<OwnedChange> {
  const plan = await previewOwnedFile(file, text);
  if (plan.action === 'unchanged') return plan;
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.drpc-${process.pid}`;
  await writeFile(tmp, text, { mode: 0o644 });
  await rename(tmp, file);
  return plan;
}

export async function verifyOwnedFile(file: string, text: string): Promise<string[]> {
  const now = await readFile(file, 'utf8').catch(() => undefined);
  if (now === undefined) return [`${file} does not exist`];
  return now === text ? [] : [`${file} is not the one drpc writes for these mirrors`];
}

export async function removeOwnedFile(file: string): Promise<OwnedChange> {
  const now = await current(file);
  if (now === undefined) return { file, action: 'absent' };
  await rm(file);
  return { file, action: 'removed' };
}
