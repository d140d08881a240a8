// Small tar/gzip helpers: deterministic layers and docker build contexts made in memory.
import { createCipheriv, createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

export interface Entry {
  name: string;
  data: Buffer;
  mode?: number;
}

export async function tarOf(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const e of entries) {
    // Fixed mtime and owner: the same content always gives the same digest.
    pack.entry({ name: e.name, mode: e.mode ?? 0o644, mtime: new Date(0), uid: 0, gid: 0 }, e.data);
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Incompressible, reproducible bytes: AES-CTR keystream keyed by the seed. */
export function pseudoRandom(seed: string, size: number): Buffer {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

export interface Layer {
  /** gzip-compressed tar as stored in the registry */
  blob: Buffer;
  digest: string;
  /** sha256 of the uncompressed tar (the image config's diff_id) */
  diffId: string;
}

export function sha256(data: Buffer | string): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

export async function layerOf(entries: Entry[]): Promise<Layer> {
  const raw = await tarOf(entries);
  const blob = gzipSync(raw, { level: 1 });
  return { blob, digest: sha256(blob), diffId: sha256(raw) };
}
