// The size of each tag's image, read on demand when the UI opens a repository: the current manifest,
// an index's platform manifests, and every blob they reference that the store holds. The report does
// not carry this (it would open every manifest of every repository on each refresh). The app reads it
// on the scan worker (`WorkerScanner.tagSizes`): the manifests are parsed there, not on the main thread.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkRepository, isTagName, within } from '../prune/names.js';
import { expandManifests, manifestReferences } from '../prune/tag-graph.js';
import { blobDataPath, parseLink, storeLayout } from './layout.js';

/** One tag and its image's bytes (the contract's TagSize). */
export interface TagSize {
  name: string;
  /** `current/link`'s digest; null when that link is missing or unreadable */
  digest: string | null;
  bytes: number;
}

const REPOS = 'docker/registry/v2/repositories';

async function currentDigest(tagsDir: string, tag: string): Promise<string | null> {
  try {
    return parseLink(await readFile(join(tagsDir, tag, 'current', 'link'))) ?? null;
  } catch {
    return null;
  }
}

/** Every tag of the repository with its image's size, by name. */
export async function tagSizes(storeRoot: string, repository: string): Promise<TagSize[]> {
  const tagsDir = within(storeRoot, REPOS, checkRepository(repository), '_manifests', 'tags');
  const tags = (await readdir(tagsDir).catch(() => [] as string[])).filter(isTagName).sort();
  const layout = storeLayout(storeRoot);
  const sizes = new Map<string, number>();
  const sizeOf = async (digest: string): Promise<number> => {
    let size = sizes.get(digest);
    if (size === undefined) {
      size = await stat(blobDataPath(layout, digest)).then(
        (s) => s.size,
        () => 0, // not in the store (a platform never pulled)
      );
      sizes.set(digest, size);
    }
    return size;
  };
  const out: TagSize[] = [];
  for (const name of tags) {
    const digest = await currentDigest(tagsDir, name);
    if (!digest) {
      out.push({ name, digest: null, bytes: 0 });
      continue;
    }
    const manifests = await expandManifests(storeRoot, [digest]);
    const refs = await manifestReferences(storeRoot, manifests);
    const all = new Set([...manifests, ...[...refs.values()].flat()]);
    let bytes = 0;
    for (const d of all) bytes += await sizeOf(d);
    out.push({ name, digest, bytes });
  }
  return out;
}
