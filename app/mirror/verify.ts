// The seed's "Verification", built in: catalog before, pull through the engine, catalog after,
// then pull again without the local copy and check the cache served it. Reports every step.
import type Docker from 'dockerode';
import { messageOf } from '../util/errors.js';
import { AccessFolder } from '../cache/access/records.js';
import { parseLogLine } from '../cache/access/log-entry.js';
import { demuxLogs } from '../docker/demux.js';
import { readCatalog, registryAnswers } from './http.js';
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
    let attempt = await warmPull(docker, mirror.settings.containerName, ref, repo);
    // 2.8 copies a cold miss into the cache in the background: a warm pull right after a large cold
    // one can still find a blob in flight. Give the copy a moment and try once more.
    if (attempt.misses > 0) {
      await new Promise((r) => setTimeout(r, 2000));
      await docker
        .getImage(ref)
        .remove()
        .catch(() => {});
      attempt = await warmPull(docker, mirror.settings.containerName, ref, repo);
    }
    if (attempt.misses > 0) {
      throw new Error(
        `${attempt.misses} of ${attempt.requests} blob(s) came from the upstream: not served by the cache`,
      );
    }
    if (attempt.requests === 0)
      throw new Error('no blob went through the mirror: the engine did not pull through it');
    return `pulled in ${attempt.ms} ms; ${attempt.requests} blob(s) served by the cache, none from the upstream`;
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

async function localImage(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch {
    return false;
  }
}

/** Pulls and reads the mirror's access log for that window: each download says whether it went upstream
 * (2.8's own counters never count a blob miss, so they cannot prove this). */
async function warmPull(docker: Docker, container: string, ref: string, repo: string) {
  const t0 = Date.now() - 1000;
  await pullImage(docker, ref);
  const ms = Date.now() - t0 - 1000;
  const buf = (await docker
    .getContainer(container)
    .logs({ stdout: true, stderr: true, follow: false, since: Math.floor(t0 / 1000) })) as unknown as Buffer;
  const folder = new AccessFolder();
  for (const line of demuxLogs(buf).split('\n')) {
    const e = parseLogLine(line);
    if (e && e.time >= t0 && (e.kind !== 'manifest' || e.repo === repo)) folder.addEntry(e);
  }
  return { ms, requests: folder.records.blobs.requests, misses: folder.records.blobs.misses };
}
