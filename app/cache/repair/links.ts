// Links the registry should have written but did not. In proxy mode, a layer the engine already had at
// the first pull is never linked under the repository's _layers, and a registry without its upstream
// (offline) then refuses to serve it. Where the blob is in the store, the link is written; where it is
// not, it is reported.
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseManifest } from '../scan/manifest.js';
import { blobDataPath, parseLink, storeLayout } from '../scan/layout.js';
import { isRepositoryName } from '../prune/names.js';

export interface LinkRepair {
  repository: string;
  digest: string;
  kind: 'layer' | 'revision';
  /** written now, or missing from the blob store (cannot be served until pulled online again) */
  action: 'linked' | 'blob-missing';
}

async function list(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Every repository directory (nested names too): one that has _manifests. */
export async function repositories(storeRoot: string): Promise<string[]> {
  const root = storeLayout(storeRoot).repositories;
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await list(join(root, rel));
    if (entries.includes('_manifests') && isRepositoryName(rel)) out.push(rel);
    for (const e of entries) if (!e.startsWith('_')) await walk(rel ? `${rel}/${e}` : e);
  };
  await walk('');
  return out.sort();
}

export async function repairLinks(storeRoot: string, opts: { dryRun?: boolean } = {}): Promise<LinkRepair[]> {
  const layout = storeLayout(storeRoot);
  const repairs: LinkRepair[] = [];
  for (const repo of await repositories(storeRoot)) {
    const base = join(layout.repositories, repo);
    const revDir = join(base, '_manifests', 'revisions', 'sha256');
    const queue = (await list(revDir)).map((hex) => `sha256:${hex}`);
    const seen = new Set<string>();
    while (queue.length) {
      const digest = queue.pop()!;
      if (seen.has(digest)) continue;
      seen.add(digest);
      let content: Buffer;
      try {
        content = await readFile(blobDataPath(layout, digest));
      } catch {
        continue; // a revision whose manifest is gone: the scanner reports it
      }
      const parsed = parseManifest(content);
      if (!parsed.ok) continue;
      for (const ref of parsed.references) {
        const kind = ref.role === 'manifest' ? 'revision' : 'layer';
        const linkDir =
          kind === 'revision'
            ? join(revDir, ref.digest.slice(7))
            : join(base, '_layers', 'sha256', ref.digest.slice(7));
        const link = join(linkDir, 'link');
        if (kind === 'revision') queue.push(ref.digest);
        if (!(await exists(blobDataPath(layout, ref.digest)))) {
          // A platform never pulled is expected in a multi-platform index: not worth a report.
          if (kind === 'layer')
            repairs.push({ repository: repo, digest: ref.digest, kind, action: 'blob-missing' });
          continue;
        }
        const current = await readFile(link).then(parseLink, () => undefined);
        if (current === ref.digest) continue;
        if (!opts.dryRun) {
          await mkdir(linkDir, { recursive: true });
          await writeFile(link, ref.digest);
        }
        repairs.push({ repository: repo, digest: ref.digest, kind, action: 'linked' });
      }
    }
  }
  return repairs;
}
