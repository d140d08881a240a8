// A minimal registry push client (blob upload, manifest put) for seeding the stand-in Docker Hub.
import { sha256 } from './tarball.js';

export const MEDIA = {
  manifest: 'application/vnd.docker.distribution.manifest.v2+json',
  list: 'application/vnd.docker.distribution.manifest.list.v2+json',
  config: 'application/vnd.docker.container.image.v1+json',
  layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export class RegistryPusher {
  constructor(private readonly base: string) {}

  async hasBlob(repo: string, digest: string): Promise<boolean> {
    const res = await fetch(`${this.base}/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
    return res.status === 200;
  }

  async pushBlob(repo: string, data: Buffer): Promise<string> {
    const digest = sha256(data);
    if (await this.hasBlob(repo, digest)) return digest;
    const start = await fetch(`${this.base}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
    if (start.status !== 202) throw new Error(`upload start ${repo}: ${start.status} ${await start.text()}`);
    const location = new URL(start.headers.get('location')!, this.base);
    location.searchParams.set('digest', digest);
    const put = await fetch(location, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(data.length) },
      body: new Uint8Array(data),
    });
    if (put.status !== 201) throw new Error(`upload ${repo} ${digest}: ${put.status} ${await put.text()}`);
    return digest;
  }

  async putManifest(repo: string, ref: string, mediaType: string, body: Buffer): Promise<string> {
    const res = await fetch(`${this.base}/v2/${repo}/manifests/${ref}`, {
      method: 'PUT',
      headers: { 'content-type': mediaType },
      body: new Uint8Array(body),
    });
    if (res.status !== 201) throw new Error(`manifest ${repo}:${ref}: ${res.status} ${await res.text()}`);
    return sha256(body);
  }
}
