// What the suite may remove from an engine it does not own: only images it pulled through a test
// mirror, recognised by name (a fixture repository under a loopback registry: localhost:PORT/library/
// busybox). A user's own images, even a real busybox or a localhost:5000/myapp, are never touched.
import type Docker from 'dockerode';
import { IMAGES, MULTI } from './fixtures.js';

const FIXTURE_REPOS = new Set([...IMAGES.map((i) => i.repo), MULTI.repo]);

/** `localhost:PORT/library/busybox:latest` or `…@sha256:…` pulled by the suite through a test mirror. */
export function isSuiteRef(ref: string): boolean {
  const m = /^(?:localhost|127\.0\.0\.1):\d+\/(.+?)(?:@sha256:[0-9a-f]{64}|:[\w][\w.-]*)?$/.exec(ref);
  return !!m && FIXTURE_REPOS.has(m[1]!);
}

/** An image is the suite's when every name it has is the suite's (and it has at least one). */
export function isSuiteImage(img: { RepoTags?: string[] | null; RepoDigests?: string[] | null }): boolean {
  const refs = [...(img.RepoTags ?? []), ...(img.RepoDigests ?? [])].filter((r) => r !== '<none>:<none>');
  return refs.length > 0 && refs.every(isSuiteRef);
}

export async function removeSuiteImages(docker: Docker): Promise<void> {
  for (const img of await docker.listImages()) {
    if (!isSuiteImage(img)) continue;
    try {
      await docker.getImage(img.Id).remove({ force: true });
    } catch {
      /* gone with another */
    }
  }
}

/**
 * The name to pull `ref` by. On an engine the suite owns, the plain name (the engine's registry-mirrors
 * send it to the mirror); on one it does not own, the mirror's own address, since its daemon.json is
 * not ours to change. Short names get Docker Hub's `library/`.
 */
export function refThroughMirror(ref: string, directMirror: string | undefined): string {
  if (!directMirror) return ref;
  const host = new URL(directMirror).host;
  const name = ref.includes('/') ? ref : `library/${ref}`;
  return `${host}/${name}`;
}
