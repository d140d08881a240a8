// A registry client's pull over the registry HTTP API, for tests and benchmarks that ask a mirror
// directly (no engine in between): manifest by tag (the first platform of a list), then every blob,
// each checked against its digest. Throws with what went wrong.
import { createHash } from 'node:crypto';

const ACCEPT = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

export const sha = (b: Uint8Array) => 'sha256:' + createHash('sha256').update(b).digest('hex');

/** A registry client's pull: manifest by tag, then every blob, each checked against its digest. */
export async function httpPull(base: string, repo: string, tag: string, timeoutMs = 20_000): Promise<void> {
  const res = await fetch(`${base}/v2/${repo}/manifests/${tag}`, {
    headers: { accept: ACCEPT },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`${repo}:${tag} manifest ${res.status}`);
  const body = new Uint8Array(await res.arrayBuffer());
  let manifest = JSON.parse(Buffer.from(body).toString()) as {
    manifests?: Array<{ digest: string }>;
    config?: { digest: string };
    layers?: Array<{ digest: string }>;
  };
  if (manifest.manifests) {
    const d = manifest.manifests[0]!.digest;
    const r2 = await fetch(`${base}/v2/${repo}/manifests/${d}`, {
      headers: { accept: ACCEPT },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const b2 = new Uint8Array(await r2.arrayBuffer());
    if (sha(b2) !== d) throw new Error(`${repo} platform manifest digest mismatch`);
    manifest = JSON.parse(Buffer.from(b2).toString());
  }
  for (const d of [manifest.config!.digest, ...manifest.layers!.map((l) => l.digest)]) {
    const r = await fetch(`${base}/v2/${repo}/blobs/${d}`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!r.ok) throw new Error(`${repo} blob ${d.slice(0, 19)} ${r.status}`);
    if (sha(new Uint8Array(await r.arrayBuffer())) !== d)
      throw new Error(`${repo} blob ${d.slice(0, 19)} corrupted`);
  }
}
