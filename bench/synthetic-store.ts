// Generates a synthetic registry data dir with the exact on-disk layout of the registry in proxy mode:
// repositories (some nested), tags, manifests that are real JSON under their real digests, configs, and
// layers whose `data` files are sparse (truncated to size: a store of many GB takes a few MB of disk).
// Layer digests are made up (hashing gigabytes of zeros would be pointless); everything else is exact.
//
//   npx tsx bench/synthetic-store.ts <dir> <repositories> <tagsPerRepo> [blobsPerImage] [sharedBasePool] [seed] [multiPlatformEvery]
import { createHash } from 'node:crypto';
import { closeSync, ftruncateSync, mkdirSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface SyntheticOptions {
  repositories: number;
  tagsPerRepo: number;
  /** Blobs one image reaches: manifest + config + layers (so layers = blobsPerImage - 2, at least 1). */
  blobsPerImage: number;
  /** Base layers shared across repositories: every image's first layer is drawn from this pool. */
  sharedBasePool: number;
  seed: number;
  /** Every Nth repository's tags are OCI indexes over linux/amd64 and linux/arm64 (0: none). */
  multiPlatformEvery?: number;
}

export interface SyntheticRepository {
  name: string;
  tags: string[];
  /** Every digest this repository reaches (what GC marks from it), sorted. */
  blobs: string[];
}

export interface SyntheticStore {
  dir: string;
  repositories: SyntheticRepository[];
  /** Digest to size of every blob written. */
  blobSizes: Map<string, number>;
  blobBytes: number;
  ms: number;
}

/**
 * The benchmarks' store by default: 2,000 repositories of 5 tags, 7 blobs per image (manifest, config, 5
 * layers), the first layer from a pool of 50 shared bases: 60,050 blobs. At 10,000 repositories, 300,050.
 */
export const DEFAULT_STORE: SyntheticOptions = {
  repositories: 2000,
  tagsPerRepo: 5,
  blobsPerImage: 7,
  sharedBasePool: 50,
  seed: 1,
};

/** Blobs a generated store holds: per image its manifest, config and own layers, plus the shared bases. */
export function expectedBlobs(o: SyntheticOptions): number {
  const layers = Math.max(1, o.blobsPerImage - 2);
  const platforms = (r: number) =>
    o.multiPlatformEvery && r % o.multiPlatformEvery === o.multiPlatformEvery - 1 ? 2 : 1;
  let n = 0;
  for (let r = 0; r < o.repositories; r++) {
    const p = platforms(r);
    // Per tag: each platform's manifest, config and layers after the first, plus the index if several.
    n += o.tagsPerRepo * (p * (2 + layers - 1) + (p > 1 ? 1 : 0));
  }
  return n + Math.max(1, o.sharedBasePool);
}

/** The store options every benchmark that generates a store takes, with their lower bounds. */
const STORE_FLAGS = {
  repos: { key: 'repositories', min: 1 },
  tags: { key: 'tagsPerRepo', min: 1 },
  'blobs-per-image': { key: 'blobsPerImage', min: 3 },
  'base-pool': { key: 'sharedBasePool', min: 1 },
  seed: { key: 'seed', min: 0 },
  'multi-platform-every': { key: 'multiPlatformEvery', min: 0 },
} as const satisfies Record<string, { key: keyof SyntheticOptions; min: number }>;

/**
 * A benchmark's command line: the store's size (`--repos N`, `--tags N`, `--blobs-per-image N`,
 * `--base-pool N`, `--seed N`, `--multi-platform-every N`, each a whole number) over `defaults`, and the
 * benchmark's own options (`own`, node:util parseArgs's form). Anything else is refused, by name.
 */
export function parseBenchArgs<O extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  defaults: SyntheticOptions = DEFAULT_STORE,
  own: O = {} as O,
): { store: SyntheticOptions; values: Record<string, string | boolean | undefined> } {
  const storeOptions = Object.fromEntries(
    Object.keys(STORE_FLAGS).map((flag) => [flag, { type: 'string' as const }]),
  );
  const values = parseArgs({
    args,
    options: { ...storeOptions, ...own },
    strict: true,
    allowPositionals: false,
  }).values as Record<string, string | boolean | undefined>;
  const store: SyntheticOptions = { ...defaults };
  for (const [flag, { key, min }] of Object.entries(STORE_FLAGS)) {
    const raw = values[flag];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (typeof raw !== 'string' || !/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min)
      throw new RangeError(`--${flag} must be a whole number of at least ${min}, not ${JSON.stringify(raw)}`);
    store[key] = n;
  }
  for (const flag of Object.keys(STORE_FLAGS)) delete values[flag];
  return { store, values };
}

const MEDIA = {
  manifest: 'application/vnd.docker.distribution.manifest.v2+json',
  index: 'application/vnd.oci.image.index.v1+json',
  config: 'application/vnd.docker.container.image.v1+json',
  layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
};
const KB = 1024;
const MB = 1024 * KB;

/** mulberry32: small, fast, reproducible. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sha256 = (data: string | Buffer) => 'sha256:' + createHash('sha256').update(data).digest('hex');
const hexOf = (digest: string) => digest.slice('sha256:'.length);

/** Writes `blobs/sha256/<xx>/<hex>/data`: real content, or a sparse file of that many bytes. */
function writeBlobData(v2: string, digest: string, content: Buffer | number): void {
  const hex = hexOf(digest);
  const blobDir = join(v2, 'blobs', 'sha256', hex.slice(0, 2), hex);
  mkdirSync(blobDir, { recursive: true });
  if (typeof content === 'number') {
    const fd = openSync(join(blobDir, 'data'), 'w');
    ftruncateSync(fd, content); // sparse: no data blocks written
    closeSync(fd);
  } else writeFileSync(join(blobDir, 'data'), content);
}

/** A link file as the registry writes it: the digest, no newline. */
function writeLink(dir: string, digest: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'link'), digest);
}

interface Layer {
  digest: string;
  size: number;
}

/**
 * One schema2 image as a proxy pull leaves it in a repository: its blobs (layers sparse, config and
 * manifest real JSON under their real digests), written before the links that make them visible (layer
 * links for config and layers, the manifest's revision), as the registry orders it. `writeBlob` writes
 * a blob unless the caller knows it is there already. Returns the manifest.
 */
function writeImage(
  repoDir: string,
  name: string,
  tag: string,
  architecture: string,
  layers: Layer[],
  writeBlob: (digest: string, content: Buffer | number) => void,
): { digest: string; size: number; config: string } {
  const config = Buffer.from(
    JSON.stringify({
      architecture,
      os: 'linux',
      config: { Labels: { repo: name, tag } },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: { mediaType: MEDIA.config, size: config.length, digest: sha256(config) },
      layers: layers.map((l) => ({ mediaType: MEDIA.layer, size: l.size, digest: l.digest })),
    }),
  );
  const digest = sha256(manifest);
  for (const l of layers) writeBlob(l.digest, l.size);
  writeBlob(sha256(config), config);
  writeBlob(digest, manifest);
  for (const d of [sha256(config), ...layers.map((l) => l.digest)])
    writeLink(join(repoDir, '_layers', 'sha256', hexOf(d)), d);
  writeLink(join(repoDir, '_manifests', 'revisions', 'sha256', hexOf(digest)), digest);
  return { digest, size: manifest.length, config: sha256(config) };
}

/** A tag pointing at a manifest: its index entry, then `current/link`. */
function writeTag(repoDir: string, tag: string, digest: string): void {
  const tagDir = join(repoDir, '_manifests', 'tags', tag);
  writeLink(join(tagDir, 'index', 'sha256', hexOf(digest)), digest);
  writeLink(join(tagDir, 'current'), digest);
}

export function generateStore(dir: string, options: SyntheticOptions): SyntheticStore {
  const started = Date.now();
  const { repositories, tagsPerRepo, sharedBasePool, seed } = options;
  const layersPerImage = Math.max(1, options.blobsPerImage - 2);
  const multiEvery = options.multiPlatformEvery ?? 0;
  const rand = random(seed);
  const v2 = join(dir, 'docker', 'registry', 'v2');
  const blobRoot = join(v2, 'blobs', 'sha256');
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).length > 0) throw new Error(`refusing to generate into a non-empty directory: ${dir}`);
  for (let i = 0; i < 256; i++)
    mkdirSync(join(blobRoot, i.toString(16).padStart(2, '0')), { recursive: true });

  const blobSizes = new Map<string, number>();
  const writeBlob = (digest: string, content: Buffer | number) => {
    if (blobSizes.has(digest)) return;
    writeBlobData(v2, digest, content);
    blobSizes.set(digest, typeof content === 'number' ? content : content.length);
  };

  const base = Array.from({ length: Math.max(1, sharedBasePool) }, (_, i) => ({
    digest: sha256(`${seed}:base:${i}`),
    size: Math.round((20 + 60 * rand()) * MB),
  }));
  // The 2.8 scheduler's entry: `Expiry time.Time \`json:"ExpiryData"\``. Any other key reads as the zero
  // time, and every entry then expires the moment the registry starts (60,000 failing deletes).
  const scheduler: Record<string, { Key: string; ExpiryData: string; EntryType: number }> = {};
  const expiry = new Date(started + 7 * 24 * 3600 * 1000).toISOString();

  const out: SyntheticRepository[] = [];
  for (let r = 0; r < repositories; r++) {
    // One in ten repositories is nested deeper than `library/`.
    const name = r % 10 === 9 ? `org${r % 7}/team${r % 3}/app-${r}` : `library/app-${r}`;
    const repoDir = join(v2, 'repositories', ...name.split('/'));
    const reached = new Set<string>();
    const multi = multiEvery > 0 && r % multiEvery === multiEvery - 1;

    const image = (tag: string, architecture: string) => {
      const layers = [base[Math.floor(rand() * base.length)] as Layer];
      for (let l = 1; l < layersPerImage; l++) {
        layers.push({
          digest: sha256(`${seed}:${name}:${tag}:${architecture}:${l}`),
          size: Math.round(KB + rand() * 64 * MB),
        });
      }
      const m = writeImage(repoDir, name, tag, architecture, layers, writeBlob);
      for (const d of [m.config, ...layers.map((l) => l.digest)]) {
        reached.add(d);
        scheduler[`${name}@${d}`] = { Key: `${name}@${d}`, ExpiryData: expiry, EntryType: 0 };
      }
      reached.add(m.digest);
      return { digest: m.digest, size: m.size, architecture };
    };

    const tags: string[] = [];
    for (let t = 0; t < tagsPerRepo; t++) {
      const tag = t === 0 ? 'latest' : `v${t}.0`;
      tags.push(tag);
      let top: string;
      if (multi) {
        const platforms = ['amd64', 'arm64'].map((arch) => image(tag, arch));
        const index = Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: MEDIA.index,
            manifests: platforms.map((p) => ({
              mediaType: MEDIA.manifest,
              size: p.size,
              digest: p.digest,
              platform: { os: 'linux', architecture: p.architecture },
            })),
          }),
        );
        top = sha256(index);
        writeBlob(top, index);
        writeLink(join(repoDir, '_manifests', 'revisions', 'sha256', hexOf(top)), top);
        reached.add(top);
      } else {
        top = image(tag, 'amd64').digest;
      }
      writeTag(repoDir, tag, top);
    }
    out.push({ name, tags, blobs: [...reached].sort() });
  }
  writeFileSync(join(dir, 'scheduler-state.json'), JSON.stringify(scheduler));
  let blobBytes = 0;
  for (const size of blobSizes.values()) blobBytes += size;
  return { dir, repositories: out, blobSizes, blobBytes, ms: Date.now() - started };
}

export interface SimulatedPull {
  manifest: string;
  config: string;
  layers: string[];
}

/**
 * What a pull of a new tag through the proxy leaves in a store, written in the registry's order: blob
 * data first (each under `blobs/`), then the links that make it visible (layer links, the manifest
 * revision, the tag's index entry and its `current/link`). Layers are sparse, with made-up digests.
 */
export function simulatePull(
  dir: string,
  repository: string,
  tag: string,
  opts: { layers?: number; layerBytes?: number } = {},
): SimulatedPull {
  const v2 = join(dir, 'docker', 'registry', 'v2');
  const repoDir = join(v2, 'repositories', ...repository.split('/'));
  const size = opts.layerBytes ?? 10 * MB;
  const layers = Array.from({ length: opts.layers ?? 5 }, (_, i) => ({
    digest: sha256(`pull:${repository}:${tag}:${i}`),
    size,
  }));
  const m = writeImage(repoDir, repository, tag, 'amd64', layers, (digest, content) =>
    writeBlobData(v2, digest, content),
  );
  writeTag(repoDir, tag, m.digest);
  return { manifest: m.digest, config: m.config, layers: layers.map((l) => l.digest) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [dir, repos, tags, blobs = '7', pool = '50', seed = '1', multi = '0'] = process.argv.slice(2);
  if (!dir || !repos || !tags) {
    console.error(
      'usage: synthetic-store.ts <dir> <repositories> <tagsPerRepo> [blobsPerImage=7] [sharedBasePool=50] [seed=1] [multiPlatformEvery=0]',
    );
    process.exit(2);
  }
  const store = generateStore(dir, {
    repositories: Number(repos),
    tagsPerRepo: Number(tags),
    blobsPerImage: Number(blobs),
    sharedBasePool: Number(pool),
    seed: Number(seed),
    multiPlatformEvery: Number(multi),
  });
  console.log(
    JSON.stringify({
      dir: store.dir,
      repositories: store.repositories.length,
      tags: store.repositories.reduce((n, r) => n + r.tags.length, 0),
      blobs: store.blobSizes.size,
      blobBytes: store.blobBytes,
      ms: store.ms,
    }),
  );
}
