// Which manifest revisions a repository's tags reach: current digests, each tag's history (its index),
// and the platform manifests of an index. Needed to prune a tag without touching what other tags use.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseManifest } from '../scan/manifest.js';
import { blobDataPath, parseLink, storeLayout } from '../scan/layout.js';
import { within } from './names.js';

export interface TagRoots {
  /** per tag: the current digest and every digest in its index */
  roots: Map<string, Set<string>>;
}

async function dirNames(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

async function readLink(path: string): Promise<string | undefined> {
  try {
    return parseLink(await readFile(path));
  } catch {
    return undefined;
  }
}

export async function readTagRoots(storeRoot: string, repo: string): Promise<TagRoots> {
  const tagsDir = within(storeRoot, 'docker/registry/v2/repositories', repo, '_manifests', 'tags');
  const roots = new Map<string, Set<string>>();
  for (const tag of await dirNames(tagsDir)) {
    const set = new Set<string>();
    const current = await readLink(join(tagsDir, tag, 'current', 'link'));
    if (current) set.add(current);
    for (const hex of await dirNames(join(tagsDir, tag, 'index', 'sha256'))) {
      const d = await readLink(join(tagsDir, tag, 'index', 'sha256', hex, 'link'));
      if (d) set.add(d);
    }
    roots.set(tag, set);
  }
  return { roots };
}

/** Every manifest digest reachable from the roots: an index brings its platform manifests along. */
export async function expandManifests(storeRoot: string, roots: Iterable<string>): Promise<Set<string>> {
  const layout = storeLayout(storeRoot);
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length) {
    const d = queue.pop()!;
    if (seen.has(d)) continue;
    seen.add(d);
    let content: Buffer;
    try {
      content = await readFile(blobDataPath(layout, d));
    } catch {
      continue;
    }
    const parsed = parseManifest(content);
    if (parsed.ok && parsed.kind === 'index') {
      for (const ref of parsed.references) if (ref.role === 'manifest') queue.push(ref.digest);
    }
  }
  return seen;
}

/** The references (config, layers, platform manifests) of each given manifest, read from the blob store. */
export async function manifestReferences(
  storeRoot: string,
  digests: Iterable<string>,
): Promise<Map<string, string[]>> {
  const layout = storeLayout(storeRoot);
  const out = new Map<string, string[]>();
  for (const d of digests) {
    try {
      const parsed = parseManifest(await readFile(blobDataPath(layout, d)));
      out.set(d, parsed.ok ? parsed.references.map((r) => r.digest) : []);
    } catch {
      out.set(d, []);
    }
  }
  return out;
}
