// Helpers for integration tests against the test bed.
import { describe, inject, it } from 'vitest';
import type Docker from 'dockerode';
import { directMirror, engine } from './dockerd.js';
import { refThroughMirror, removeSuiteImages } from './suite-images.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestbedInfo } from './index.js';
// Brings global-setup's `inject('testbed')` typing into every project that compiles these helpers.
import type {} from './global-setup.js';
import { defaultMirrorSettings, type MirrorSettings } from '../app/mirror/settings.js';
import type { Mirror } from '../app/mirror/mirror.js';

export function testbed(): TestbedInfo {
  return inject('testbed');
}

export function testDocker(): Docker {
  return engine();
}

/** For tests that restart, kill, reconfigure or mount on the engine: skips them, with the reason,
 * on an engine the suite does not own (DRPC_TEST_DOCKER_HOST). */
export function needsEngineControl(ctx: { skip: (note?: string) => void }): void {
  const why = testbed().noEngineControl;
  if (why) ctx.skip(why);
}

export function tempDir(prefix = 'drpc-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

import { freeLoopbackPort } from './upstream.js';
export { freeLoopbackPort as freePort };

/** A unique name for containers and files of one test. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Removes local copies of images so the next pull really fetches layers. */
export async function removeLocalImages(docker: Docker, refs: string[]): Promise<void> {
  for (const ref of refs) {
    try {
      await docker.getImage(refThroughMirror(ref, directMirror)).remove({ force: true });
    } catch {
      /* not present */
    }
  }
}

/** docker pull through the engine, failing on errors carried inside the progress stream. */
export async function pull(docker: Docker, ref: string): Promise<void> {
  const stream = await docker.pull(refThroughMirror(ref, directMirror));
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, events: Array<{ error?: string }>) => {
      const failed = events?.find((e) => e.error);
      if (err) reject(err);
      else if (failed) reject(new Error(failed.error));
      else resolve();
    });
  });
}

/**
 * Shows that refs are served by the mirror's cache alone: the mirror runs in offline mode (a plain
 * registry over the same store, as `drpc up --offline` runs it: no request can reach the upstream, and
 * dockerd's fall-back to Docker Hub is refused) while each is pulled with no local copy; then it runs
 * in proxy mode again. Faster than stopping the stand-in Docker Hub under a proxy-mode mirror, where
 * registry 2.8 waits 10 s on the upstream for every tag.
 */
export async function pullsFromCacheAlone(docker: Docker, mirror: Mirror, refs: string[]): Promise<void> {
  await mirror.inMode('offline').up();
  try {
    for (const ref of refs) {
      await removeImagesExceptRegistry(docker);
      await pull(docker, ref);
    }
  } finally {
    await removeImagesExceptRegistry(docker);
    await mirror.inMode('proxy').up();
  }
}

/**
 * Pulls each image through the engine with no local copy (so every layer goes through the mirror);
 * returns how long each took (reported by tests, not asserted).
 */
export async function pullAll(docker: Docker, refs: string[]): Promise<number[]> {
  const times: number[] = [];
  for (const ref of refs) {
    await removeImagesExceptRegistry(docker);
    const t0 = Date.now();
    await pull(docker, ref);
    times.push(Date.now() - t0);
  }
  await removeImagesExceptRegistry(docker);
  return times;
}

/**
 * Removes every image but the registry image: an image left by another test that shares a layer would
 * make the next pull skip that layer, and the mirror would then not link it (nor serve it offline).
 */
export async function removeImagesExceptRegistry(docker: Docker): Promise<void> {
  if (testbed().noEngineControl) return removeSuiteImages(docker); // someone else's images stay
  const { registryImage, mirrorImage } = testbed();
  const keep = new Set<string>();
  for (const ref of new Set([registryImage, mirrorImage, 'registry:2', 'registry:3']))
    try {
      keep.add((await docker.getImage(ref).inspect()).Id);
    } catch {
      /* not built on this engine */
    }
  for (const img of await docker.listImages({ all: true })) {
    if (keep.has(img.Id)) continue;
    try {
      await docker.getImage(img.Id).remove({ force: true });
    } catch {
      /* a parent removed with its child */
    }
  }
}

/** Mirror settings for one test: a free port, its own data dir and container name, the test bed's upstream. */
export async function testMirrorSettings(name: string): Promise<MirrorSettings> {
  return {
    ...defaultMirrorSettings(),
    image: testbed().mirrorImage,
    port: await freeLoopbackPort(),
    dataDir: tempDir(`${name}-`),
    containerName: uniqueName(name),
    upstreamUrl: testbed().upstreamUrl,
    network: testbed().network,
  };
}

/** For tests that mount file systems: on a machine where the suite is not root (a Mac), skipped with the reason. */
export function needsRoot(ctx: { skip: (note?: string) => void }, what: string): void {
  if (process.getuid?.() !== 0) ctx.skip(`${what}: needs root`);
}

/**
 * A describe block whose tests all restart, kill, reconfigure or mount on the engine. On an engine the
 * suite does not own it registers nothing but one test skipped with the reason, so none of its hooks
 * run either.
 */
export function describeWithEngineControl(name: string, fn: () => void, what?: string): void {
  const why = inject('testbed')?.noEngineControl;
  if (why) describe(name, () => it(what ?? 'needs control of the engine', (ctx) => ctx.skip(why)));
  else describe(name, fn);
}

/** `drpc` in this process with its own environment: each run's exit code, stdout and stderr. */
export function cliRunner(env: () => NodeJS.ProcessEnv) {
  return async (...argv: string[]) => {
    const { runCli } = await import('../app/cli/run.js');
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env: env() });
    return { code, out: out.join('\n'), err: err.join('\n'), json: () => JSON.parse(out.join('\n')) };
  };
}

/**
 * A describe block that needs the suite's mirrors on registry:3; under DRPC_REGISTRY=2 (or a clone that
 * cannot build it) it registers one test skipped with the reason.
 */
export function describeOnRegistry3(name: string, fn: () => void): void {
  if (inject('testbed')?.mirrorImage === 'registry:3') describe(name, fn);
  else
    describe(name, () =>
      it('needs registry:3 on the test bed', (ctx) =>
        ctx.skip('the suite runs on registry 2.8 (DRPC_REGISTRY=2)')),
    );
}

/** Whether a process (a keeper, an owner) still runs. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
