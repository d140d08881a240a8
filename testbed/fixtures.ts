// The images the stand-in Docker Hub serves. Deterministic: the same bytes, so the same digests, every run.
import { layerOf, pseudoRandom, sha256, type Layer } from './tarball.js';
import { MEDIA, RegistryPusher } from './push.js';

export interface ImageSpec {
  repo: string;
  tags: string[];
  layers: Array<{ seed: string; size: number }>;
}

export interface PushedImage {
  repo: string;
  tags: string[];
  manifestDigest: string;
  manifest: Buffer;
  config: Buffer;
  layers: Layer[];
}

const KB = 1024;

/** busybox, as in the seed's verification; two images that share a base layer; one repository with two tags. */
export const IMAGES: ImageSpec[] = [
  { repo: 'library/busybox', tags: ['latest'], layers: [{ seed: 'busybox', size: 600 * KB }] },
  {
    repo: 'library/app-one',
    tags: ['latest'],
    layers: [
      { seed: 'shared-base', size: 900 * KB },
      { seed: 'app-one-a', size: 300 * KB },
      { seed: 'app-one-b', size: 200 * KB },
    ],
  },
  {
    repo: 'library/app-two',
    tags: ['latest'],
    layers: [
      { seed: 'shared-base', size: 900 * KB },
      { seed: 'app-two-a', size: 250 * KB },
    ],
  },
  {
    repo: 'library/twotags',
    tags: ['v1'],
    layers: [
      { seed: 'twotags-common', size: 400 * KB },
      { seed: 'twotags-v1', size: 150 * KB },
    ],
  },
  {
    repo: 'library/twotags',
    tags: ['v2'],
    layers: [
      { seed: 'twotags-common', size: 400 * KB },
      { seed: 'twotags-v2', size: 170 * KB },
    ],
  },
];

/** A multi-platform image: a manifest list with linux/amd64 and linux/arm64 that share the base layer. */
export const MULTI = {
  repo: 'library/multi',
  tag: 'latest',
  platforms: [
    {
      architecture: 'amd64',
      layers: [
        { seed: 'shared-base', size: 900 * KB },
        { seed: 'multi-amd64', size: 220 * KB },
      ],
    },
    {
      architecture: 'arm64',
      layers: [
        { seed: 'shared-base', size: 900 * KB },
        { seed: 'multi-arm64', size: 230 * KB },
      ],
    },
  ],
};

/** Every fixture image as repo:tag, each once (the multi-platform one included). */
export const ALL_REFS = [
  ...new Set([...IMAGES.flatMap((i) => i.tags.map((t) => `${i.repo}:${t}`)), `${MULTI.repo}:${MULTI.tag}`]),
];

async function buildImage(
  layersSpec: ImageSpec['layers'],
  architecture = 'amd64',
): Promise<Omit<PushedImage, 'repo' | 'tags'>> {
  const layers: Layer[] = [];
  for (const l of layersSpec) {
    layers.push(await layerOf([{ name: `data/${l.seed}.bin`, data: pseudoRandom(l.seed, l.size) }]));
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture,
      os: 'linux',
      config: { Cmd: ['/bin/true'], Labels: { 'io.drpc.fixture': layersSpec.map((l) => l.seed).join(',') } },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((_, i) => ({ created: '2024-01-01T00:00:00Z', created_by: `layer ${i}` })),
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: { mediaType: MEDIA.config, size: config.length, digest: sha256(config) },
      layers: layers.map((l) => ({ mediaType: MEDIA.layer, size: l.blob.length, digest: l.digest })),
    }),
  );
  return { manifest, manifestDigest: sha256(manifest), config, layers };
}

async function pushImage(pusher: RegistryPusher, repo: string, img: Omit<PushedImage, 'repo' | 'tags'>) {
  for (const l of img.layers) await pusher.pushBlob(repo, l.blob);
  await pusher.pushBlob(repo, img.config);
}

export async function makeImage(spec: ImageSpec): Promise<PushedImage> {
  return { repo: spec.repo, tags: spec.tags, ...(await buildImage(spec.layers)) };
}

/** Pushes every fixture (idempotent: blobs already there are skipped) and returns what was pushed. */
export async function seedUpstream(base: string): Promise<{ images: PushedImage[]; multi: MultiImage }> {
  const pusher = new RegistryPusher(base);
  const images: PushedImage[] = [];
  for (const spec of IMAGES) {
    const img = await makeImage(spec);
    await pushImage(pusher, spec.repo, img);
    for (const tag of spec.tags) await pusher.putManifest(spec.repo, tag, MEDIA.manifest, img.manifest);
    images.push(img);
  }
  return { images, multi: await seedMulti(pusher) };
}

export interface MultiImage {
  repo: string;
  tag: string;
  listDigest: string;
  list: Buffer;
  platforms: Array<{ architecture: string } & Omit<PushedImage, 'repo' | 'tags'>>;
}

async function seedMulti(pusher: RegistryPusher): Promise<MultiImage> {
  const platforms = [];
  for (const p of MULTI.platforms) {
    const img = await buildImage(p.layers, p.architecture);
    await pushImage(pusher, MULTI.repo, img);
    await pusher.putManifest(MULTI.repo, img.manifestDigest, MEDIA.manifest, img.manifest);
    platforms.push({ architecture: p.architecture, ...img });
  }
  const list = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.list,
      manifests: platforms.map((p) => ({
        mediaType: MEDIA.manifest,
        size: p.manifest.length,
        digest: p.manifestDigest,
        platform: { architecture: p.architecture, os: 'linux' },
      })),
    }),
  );
  const listDigest = await pusher.putManifest(MULTI.repo, MULTI.tag, MEDIA.list, list);
  return { repo: MULTI.repo, tag: MULTI.tag, listDigest, list, platforms };
}
