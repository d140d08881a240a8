// Moving a prune's selection aside and back. The trash mirrors the store's layout (trash/<path in the
// store>), so what it holds can be put back without the plan. Neither direction ever fails because
// something is already in the way: a prune killed half way, a re-pull since, or a reset since must not
// jam the next prune or reset.
import { lstat, mkdir, readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { blobDataPath, parseLink, storeLayout } from '../scan/layout.js';

async function lstatOf(p: string) {
  return lstat(p).catch(() => undefined);
}

/**
 * Moves `from` to `to` (a rename). Where `to` exists already (the same selection moved aside before),
 * what `from` holds is merged into it entry by entry; a file in the way is replaced (both copies were
 * on their way out).
 */
export async function moveInto(from: string, to: string): Promise<void> {
  const src = await lstatOf(from);
  if (!src) return;
  const dst = await lstatOf(to);
  if (!dst) {
    await mkdir(dirname(to), { recursive: true });
    await rename(from, to);
    return;
  }
  if (src.isDirectory() && dst.isDirectory()) {
    for (const name of await readdir(from)) await moveInto(join(from, name), join(to, name));
    await rmdir(from).catch(() => {}); // something was written into it meanwhile: it stays
    return;
  }
  await rm(to, { recursive: true, force: true });
  await rename(from, to);
}

export interface RestoreCount {
  restored: number;
  /** already in the store (written since: newer), or a link to a blob the store no longer holds */
  skipped: number;
}

/**
 * Puts back what `trash` holds into `store` (a rollback), file by file. Never replaces what is there
 * (the registry wrote it since: a re-pull), and never writes a link to a blob the store no longer holds
 * (a reset or a collection since: such a link would serve an error). Directories are made only for
 * what is put back.
 */
export async function restoreInto(trash: string, store: string): Promise<RestoreCount> {
  const layout = storeLayout(store);
  const count: RestoreCount = { restored: 0, skipped: 0 };
  const walk = async (from: string, to: string): Promise<void> => {
    const src = await lstatOf(from);
    if (!src) return;
    if (src.isDirectory()) {
      for (const name of await readdir(from)) await walk(join(from, name), join(to, name));
      return;
    }
    if (await lstatOf(to)) {
      count.skipped++;
      return;
    }
    if (basename(from) === 'link') {
      const digest = parseLink(await readFile(from));
      const held = digest && (await stat(blobDataPath(layout, digest)).catch(() => undefined));
      if (!held) {
        count.skipped++;
        return;
      }
    }
    await mkdir(dirname(to), { recursive: true });
    await rename(from, to);
    count.restored++;
  };
  await walk(trash, store);
  return count;
}
