// Test helper: builds registry data dirs by hand, file by file, with the registry's exact layout,
// so tests know every size. (Used by the *.test.ts files beside it; not part of the scanner.)
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MEDIA_TYPES } from './manifest.js';

export const sha256 = (data: Buffer | string) => 'sha256:' + createHash('sha256').update(data).digest('hex');
const hex = (digest: string) => digest.slice('sha256:'.length);

export interface Image {
  manifest: string;
  manifestSize: number;
  config: string;
  layers: string[];
}

export class StoreBuilder {
  readonly v2: string;

  constructor(readonly dir: string) {
    this.v2 = join(dir, 'docker', 'registry', 'v2');
    mkdirSync(join(this.v2, 'blobs', 'sha256'), { recursive: true });
    mkdirSync(join(this.v2, 'repositories'), { recursive: true });
  }

  repoDir(repo: string): string {
    return join(this.v2, 'repositories', ...repo.split('/'));
  }

  blobPath(digest: string): string {
    return join(this.v2, 'blobs', 'sha256', hex(digest).slice(0, 2), hex(digest), 'data');
  }

  /** Writes a blob with real content; a number writes a sparse blob of that size under a made-up digest. */
  blob(content: Buffer | string | number, seed = ''): string {
    const digest = typeof content === 'number' ? sha256(`sparse:${seed}:${content}`) : sha256(content);
    const path = this.blobPath(digest);
    mkdirSync(join(path, '..'), { recursive: true });
    if (typeof content === 'number') {
      writeFileSync(path, '');
      truncateSync(path, content);
    } else writeFileSync(path, content);
    return digest;
  }

  link(repo: string, rel: string[], digest: string): void {
    const dir = join(this.repoDir(repo), ...rel);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'link'), digest);
  }

  layerLink(repo: string, digest: string): void {
    this.link(repo, ['_layers', 'sha256', hex(digest)], digest);
  }

  revision(repo: string, digest: string): void {
    this.link(repo, ['_manifests', 'revisions', 'sha256', hex(digest)], digest);
  }

  tag(repo: string, tag: string, digest: string): void {
    this.link(repo, ['_manifests', 'tags', tag, 'current'], digest);
    this.link(repo, ['_manifests', 'tags', tag, 'index', 'sha256', hex(digest)], digest);
  }

  /** A schema2 image as a proxy pull leaves it: blobs, layer links, revision and (optionally) a tag. */
  image(
    repo: string,
    tag: string | null,
    layers: Array<Buffer | string>,
    opts: { link?: boolean } = {},
  ): Image {
    const layerDigests = layers.map((l) => this.blob(l));
    const config = Buffer.from(
      JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { diff_ids: layerDigests } }),
    );
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.dockerManifest,
        config: {
          mediaType: 'application/vnd.docker.container.image.v1+json',
          size: config.length,
          digest: sha256(config),
        },
        layers: layers.map((l, i) => ({
          mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
          size: Buffer.byteLength(l),
          digest: layerDigests[i],
        })),
      }),
    );
    const img = {
      manifest: this.blob(manifest),
      manifestSize: manifest.length,
      config: this.blob(config),
      layers: layerDigests,
    };
    if (opts.link !== false) {
      for (const d of [img.config, ...layerDigests]) this.layerLink(repo, d);
      this.revision(repo, img.manifest);
      if (tag) this.tag(repo, tag, img.manifest);
    }
    return img;
  }

  /** Raw manifest JSON stored as a blob (any media type), linked as a revision of repo when given. */
  manifest(json: unknown, repo?: string): { digest: string; size: number } {
    const body = Buffer.from(JSON.stringify(json));
    const digest = this.blob(body);
    if (repo) this.revision(repo, digest);
    return { digest, size: body.length };
  }

  upload(repo: string, uuid: string, bytes: number): void {
    const dir = join(this.repoDir(repo), '_uploads', uuid);
    mkdirSync(join(dir, 'hashstates', 'sha256'), { recursive: true });
    writeFileSync(join(dir, 'data'), Buffer.alloc(bytes, 1));
    writeFileSync(join(dir, 'startedat'), '2024-01-01T00:00:00Z');
    writeFileSync(join(dir, 'hashstates', 'sha256', '0'), Buffer.alloc(10));
  }
}

/** `du -sb dir`, run for real. */
export async function duBytes(dir: string): Promise<number> {
  const { stdout } = await promisify(execFile)('du', ['-sb', dir]);
  return Number(stdout.split('\t')[0]);
}

/** Digest to size of every `data` file in a blob store, by a plain synchronous walk (an independent oracle). */
export function blobFiles(dataDir: string): Map<string, number> {
  const root = join(dataDir, 'docker', 'registry', 'v2', 'blobs', 'sha256');
  const out = new Map<string, number>();
  if (!existsSync(root)) return out;
  for (const prefix of readdirSync(root)) {
    for (const h of readdirSync(join(root, prefix))) {
      try {
        out.set(`sha256:${h}`, statSync(join(root, prefix, h, 'data')).size);
      } catch {
        /* a blob directory without data */
      }
    }
  }
  return out;
}
