// Helpers for integration tests against the test bed.
import { inject } from 'vitest';
import Docker from 'dockerode';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestbedInfo } from './index.js';
import { defaultMirrorSettings, type MirrorSettings } from '../app/mirror/settings.js';

export function testbed(): TestbedInfo {
  return inject('testbed');
}

export function testDocker(): Docker {
  return new Docker({ socketPath: testbed().socketPath });
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
      await docker.getImage(ref).remove({ force: true });
    } catch {
      /* not present */
    }
  }
}

/** docker pull through the engine, failing on errors carried inside the progress stream. */
export async function pull(docker: Docker, ref: string): Promise<void> {
  const stream = await docker.pull(ref);
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
 * Removes every image but the registry image: an image left by another test that shares a layer would
 * make the next pull skip that layer, and the mirror would then not link it (nor serve it offline).
 */
export async function removeImagesExceptRegistry(docker: Docker): Promise<void> {
  const keep = (await docker.getImage(testbed().registryImage).inspect()).Id;
  for (const img of await docker.listImages({ all: true })) {
    if (img.Id === keep) continue;
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
    port: await freeLoopbackPort(),
    dataDir: tempDir(`${name}-`),
    containerName: uniqueName(name),
    upstreamUrl: testbed().upstreamUrl,
    network: testbed().network,
  };
}
