// The seed's "Verification", built in: catalog before, pull through the engine, catalog after,
// then pull again without the local copy and check the cache served it. Reports every step.
import type Docker from 'dockerode';
import { messageOf } from '../util/errors.js';
import { readCatalog, readProxyStats, registryAnswers, type ProxyStats } from './http.js';
import { pullImage } from './image.js';
import type { Mirror } from './mirror.js';

export interface VerifyStep {
  id:
    | 'mirror'
    | 'catalog-before'
    | 'engine'
    | 'clear-local'
    | 'pull'
    | 'catalog-after'
    | 'remove-local'
    | 'warm-pull';
  title: string;
  ok: boolean;
  detail: string;
  ms: number;
}

export interface VerifyReport {
  ok: boolean;
  image: string;
  /** the reference the engine pulled: the Hub name when the engine uses the mirror, else via the mirror's address */
  pulledAs: string;
  engineUsesMirror: boolean;
  steps: VerifyStep[];
}

/** `library/busybox:latest` -> repository `library/busybox`, tag `latest`. */
function hubRepository(image: string): { repo: string; tag: string } {
  const [name, tag = 'latest'] = image.split(':') as [string, string?];
  return { repo: name.includes('/') ? name : `library/${name}`, tag };
}

function normalizeMirror(url: string): string {
  return url.replace(/\/+$/, '').replace('://localhost:', '://127.0.0.1:').toLowerCase();
}

export async function verifyMirror(
  docker: Docker,
  mirror: Mirror,
  opts: { image?: string; onStep?: (s: VerifyStep) => void } = {},
): Promise<VerifyReport> {
  const image = opts.image ?? 'busybox:latest';
  const { repo, tag } = hubRepository(image);
  const steps: VerifyStep[] = [];
  const report: VerifyReport = { ok: false, image, pulledAs: image, engineUsesMirror: false, steps };
  const step = async (id: VerifyStep['id'], title: string, fn: () => Promise<string>): Promise<boolean> => {
    const t0 = Date.now();
    let s: VerifyStep;
    try {
      s = { id, title, ok: true, detail: await fn(), ms: Date.now() - t0 };
    } catch (err) {
      s = { id, title, ok: false, detail: messageOf(err), ms: Date.now() - t0 };
    }
    steps.push(s);
    opts.onStep?.(s);
    return s.ok;
  };
  const base = mirror.baseUrl;
  let before: string[] = [];

  if (
    !(await step('mirror', 'the mirror answers', async () => {
      if (!(await registryAnswers(base, 3000)))
        throw new Error(`no answer from ${base}/v2/: is the mirror up?`);
      return `${base}/v2/ answers`;
    }))
  )
    return report;

  if (
    !(await step('catalog-before', 'catalog before', async () => {
      before = await readCatalog(base);
      return JSON.stringify({ repositories: before });
    }))
  )
    return report;

  await step('engine', 'is the engine set to use the mirror', async () => {
    const info = (await docker.info()) as { RegistryConfig?: { Mirrors?: string[] } };
    const mirrors = info.RegistryConfig?.Mirrors ?? [];
    report.engineUsesMirror = mirrors.some((m) => normalizeMirror(m) === normalizeMirror(mirror.mirrorUrl));
    if (!report.engineUsesMirror) {
      // Still verifiable: pull by the mirror's own address (loopback registries are insecure by default).
      report.pulledAs = `${new URL(base).host}/${repo}:${tag}`;
      return `not configured (engine mirrors: ${JSON.stringify(mirrors)}); pulling ${report.pulledAs} instead`;
    }
    return `registry-mirrors lists ${mirror.mirrorUrl}`;
  });
  const ref = report.pulledAs;
  const hadLocal = await localImage(docker, ref);
  // An image the engine already holds would be answered from its own layers, proving nothing about the
  // mirror: remove the tag first (the pull below brings it back).
  if (
    hadLocal &&
    !(await step('clear-local', 'remove the local copy first', async () => {
      await docker.getImage(ref).remove();
      return `removed ${ref}; the next pull restores it`;
    }))
  )
    return report;

  if (
    !(await step('pull', `pull ${ref}`, async () => {
      await pullImage(docker, ref);
      return 'pulled';
    }))
  )
    return report;

  if (
    !(await step('catalog-after', 'catalog after lists it', async () => {
      const after = await readCatalog(base);
      if (!after.includes(repo)) {
        throw new Error(
          `${repo} is not in the catalog ${JSON.stringify(after)}` +
            ' (the engine already had all its layers through other images, so none went through the mirror)',
        );
      }
      return JSON.stringify({ repositories: after });
    }))
  )
    return report;

  if (
    !(await step('remove-local', 'remove the local copy', async () => {
      await docker.getImage(ref).remove({ noprune: false });
      return `removed ${ref} from the engine`;
    }))
  )
    return report;

  await step('warm-pull', 'pull again: served by the cache', async () => {
    const debug = await mirror.debugUrl();
    const s0 = debug ? await readProxyStats(debug) : undefined;
    const t0 = Date.now();
    await pullImage(docker, ref);
    const ms = Date.now() - t0;
    const s1 = debug ? await readProxyStats(debug) : undefined;
    if (!s0 || !s1) return `pulled in ${ms} ms (no metrics endpoint to prove where the bytes came from)`;
    const fetched = fetchedUpstream(s0, s1);
    if (fetched.blobs > 0)
      throw new Error(`${fetched.blobs} blob(s) were fetched from the upstream: not served by the cache`);
    return `pulled in ${ms} ms; 0 blobs from the upstream, ${s1.blobs.requests - s0.blobs.requests} served by the cache`;
  });
  // Leave the engine as the user had it: an image pulled only for this check is removed again.
  if (!hadLocal && ref !== image)
    await docker
      .getImage(ref)
      .remove()
      .catch(() => {});
  report.ok = steps.every((s) => s.ok);
  return report;
}

function fetchedUpstream(a: ProxyStats, b: ProxyStats): { blobs: number; bytes: number } {
  return { blobs: b.blobs.misses - a.blobs.misses, bytes: b.blobs.bytesPulled - a.blobs.bytesPulled };
}

async function localImage(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch {
    return false;
  }
}
