// The sweep's look made straight from the model (what the scan worker answers) equals the look made
// from a whole scan result, on a synthetic store with shared layers, multi-platform images and blobs
// nothing references, before and after repositories go, asked about present, absent and unknown digests.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFs } from './fs-port.js';
import { ModelHolder, runToEnd } from './scanner.js';
import { lookOf } from './store-look.js';
import { scanFixture } from './test-fixture.js';

describe('StoreModel.sweepLook', () => {
  it('agrees with lookOf on the whole result', async () => {
    const { dir, store } = await scanFixture('drpc-look-', 7);
    store.blob('nothing references me');
    let holder = new ModelHolder(dir, { fs: nodeFs, racyWindowMs: 0 });
    const both = (ask: string[]) => {
      const model = runToEnd(holder.refresh());
      return [model.sweepLook(ask), lookOf(model.result(), ask)];
    };
    const first = runToEnd(holder.refresh()).result();
    const some = first.repositories.flatMap((r) => r.blobs).filter((_, i) => i % 7 === 0);
    const unknown = `sha256:${'0'.repeat(64)}`;
    let [fromModel, fromResult] = both([...some, unknown]);
    expect(fromModel).toEqual(fromResult);
    expect(fromModel!.orphans.length).toBeGreaterThan(0);
    expect(fromModel!.marked.length).toBeGreaterThan(0);

    // Repositories gone (their blobs are orphans now), and a link whose blob is gone (a missing link).
    for (const r of first.repositories.slice(0, 5)) rmSync(store.repoDir(r.name), { recursive: true });
    const gone = first.repositories[10]!.blobs[0]!;
    rmSync(join(store.blobPath(gone), '..'), { recursive: true });
    [fromModel, fromResult] = both([...some, gone, unknown]);
    expect(fromModel).toEqual(fromResult);
    expect(fromModel!.missingLinks.map((l) => l.digest)).toContain(gone);

    // A manifest that does not parse (a fresh model: content is immutable by digest, so a refresh does
    // not read a parsed manifest again): both say why the sweep cannot judge the store.
    writeFileSync(store.blobPath(first.repositories[20]!.revisions[0]!), '{ broken');
    holder = new ModelHolder(dir, { fs: nodeFs, racyWindowMs: 0 });
    [fromModel, fromResult] = both([]);
    expect(fromModel).toEqual(fromResult);
    expect(fromModel!.problem).toMatch(/has a manifest that cannot be read/);
  });
});
