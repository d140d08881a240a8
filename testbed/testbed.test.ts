import { describe, expect, it } from 'vitest';
import { IMAGES, MULTI, makeImage } from './fixtures.js';
import { needsEngineControl, pull, testbed, testDocker } from './helpers.js';

describe('test bed', () => {
  it('serves the fixtures from the stand-in Docker Hub', async () => {
    const base = testbed().upstreamHostUrl;
    const catalog = (await (await fetch(`${base}/v2/_catalog`)).json()) as { repositories: string[] };
    for (const spec of IMAGES) expect(catalog.repositories).toContain(spec.repo);
    expect(catalog.repositories).toContain(MULTI.repo);
    const busybox = await makeImage(IMAGES[0]!);
    const res = await fetch(`${base}/v2/library/busybox/manifests/latest`, {
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    expect(res.headers.get('docker-content-digest')).toBe(busybox.manifestDigest);
  });

  it('keeps dockerd contained: a Docker Hub pull is refused locally', async (ctx) => {
    needsEngineControl(ctx); // the containment is the private engine's proxy and DNS settings
    const started = Date.now();
    // Refused by the local proxy stand-in (nothing listens on its port) instead of hanging on a
    // network that does not exist; how long that took is printed, not asserted.
    await expect(pull(testDocker(), 'library/surely-not-cached-anywhere:1')).rejects.toThrow(
      /proxyconnect.*connection refused/,
    );
    console.log(`a Docker Hub pull was refused after ${Date.now() - started} ms`);
  });
});
