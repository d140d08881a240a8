// The sweep on the real test bed. Its oracle is the registry's own collector: on copies of the same
// store after the same removals, the sweep deletes exactly the blobs `registry garbage-collect` deletes
// (a repository sharing a base layer, one tag of two, a multi-platform index). And a prune while
// clients pull: the mirror never stops, every pull of a kept image succeeds, a pruned repository pulls
// again from the upstream (no stale blob descriptor answers for a deleted blob).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setMirrors } from '../../../testbed/dockerd.js';
import { ALL_REFS, MULTI } from '../../../testbed/fixtures.js';
import {
  pull,
  pullAll,
  pullsFromCacheAlone,
  removeImagesExceptRegistry,
  tempDir,
  testDocker,
  testMirrorSettings,
} from '../../../testbed/helpers.js';
import { upstreamRequests } from '../../../testbed/upstream.js';
import { Mirror } from '../../mirror/mirror.js';
import { mirrorDirs, type MirrorSettings } from '../../mirror/settings.js';
import { scanStore } from '../scan/scanner.js';
import { blobFiles } from '../scan/test-store.js';
import { CacheService } from '../service.js';
import { runGarbageCollect } from './gc.js';
import { within } from './names.js';
import { planPrune, type PruneItem } from './plan.js';
import { lookOf, sweep } from './sweep.js';
import { moveInto } from './trash.js';

const execFileP = promisify(execFile);
const ALL = ALL_REFS;
const KEPT = ['library/app-two:latest', 'library/busybox:latest', `${MULTI.repo}:${MULTI.tag}`];

describe('the sweep', () => {
  const docker = testDocker();
  let settings: MirrorSettings;
  let mirror: Mirror;

  /** Cold pulls through the mirror, each with no local layers, so every layer is linked. */
  const fill = (refs = ALL) => pullAll(docker, refs);

  beforeAll(async () => {
    settings = await testMirrorSettings('drpc-sweep');
    mirror = new Mirror({ docker, settings });
    await mirror.up();
    await setMirrors([mirror.mirrorUrl]);
    await fill();
  });
  afterAll(async () => {
    await setMirrors([]);
    await mirror.remove().catch(() => {});
  });

  /** A copy of the mirror's whole data dir (config and store), times kept. */
  async function copyOfDataDir(): Promise<MirrorSettings> {
    const dataDir = join(tempDir('drpc-sweep-copy-'), 'mirror');
    await execFileP('cp', ['-a', settings.dataDir, dataDir]);
    return { ...settings, dataDir };
  }

  describe.each<[string, PruneItem[]]>([
    ['a repository sharing a base layer', [{ repo: 'library/app-one' }]],
    ['one tag of two', [{ repo: 'library/twotags', tag: 'v1' }]],
    ['a multi-platform index', [{ repo: MULTI.repo }]],
    ['everything', ALL.map((r) => ({ repo: r.split(':')[0]! }))],
  ])('after removing %s', (_what, items) => {
    it('deletes exactly the blobs registry garbage-collect deletes on a copy of the same store', async () => {
      const ours = await copyOfDataDir();
      const theirs = await copyOfDataDir();
      const plan = await planPrune(await scanStore(mirrorDirs(ours).data), mirrorDirs(ours).data, items);
      for (const s of [ours, theirs]) {
        const store = mirrorDirs(s).data;
        const trash = tempDir('drpc-sweep-trash-');
        for (const rel of plan.removals) await moveInto(within(store, rel), within(trash, rel));
      }
      const before = blobFiles(mirrorDirs(ours).data);
      const swept = await sweep({
        store: mirrorDirs(ours).data,
        trash: tempDir('drpc-sweep-quarantine-'),
        // Everything in these copies was written before this "prune" began.
        since: Date.now() + 60_000,
        look: async (ask) => lookOf(await scanStore(mirrorDirs(ours).data), ask),
      });
      const gc = await runGarbageCollect(docker, theirs);
      expect(gc.blobs.length).toBeGreaterThan(0);
      expect([...swept.deleted].sort()).toEqual(gc.blobs);
      expect(blobFiles(mirrorDirs(ours).data)).toEqual(blobFiles(mirrorDirs(theirs).data));
      expect(swept.deletedBytes).toBe(gc.blobs.reduce((n, d) => n + before.get(d)!, 0));
    }, 240_000);
  });

  it('prunes while clients pull: the mirror never stops, kept images always pull, the pruned one pulls again', async () => {
    const svc = new CacheService({ docker, mirror, stateDir: tempDir('drpc-sweep-state-') });
    try {
      const started = (await mirror.inspect())!;
      const plan = await svc.plan({ kind: 'items', items: [{ repo: 'library/app-one' }] });
      expect(plan.bytes).toBeGreaterThan(0);
      let done = false;
      const pulls: Array<{ ref: string; error?: string }> = [];
      const clients = (async () => {
        // At least one round of every kept image, and on until the prune is over.
        for (let round = 0; round < 1 || !done; round++) {
          for (const ref of KEPT) {
            await removeImagesExceptRegistry(docker);
            pulls.push(
              await pull(docker, ref).then(
                () => ({ ref }),
                (err: unknown) => ({ ref, error: String(err) }),
              ),
            );
          }
        }
      })();
      const result = await svc.prune(plan).finally(() => (done = true));
      await clients;
      expect(result.collector).toEqual({ kind: 'sweep' });
      expect(result.downtimeMs).toBe(0);
      expect(result.freedBytes).toBe(plan.bytes + plan.orphanBytes);
      expect(pulls.filter((p) => p.error)).toEqual([]);
      const after = (await mirror.inspect())!;
      expect([after.Id, after.State.StartedAt]).toEqual([started.Id, started.State.StartedAt]);

      // The pruned repository comes back from the upstream: no answer from a descriptor of a deleted blob.
      const mark = (await upstreamRequests(docker)).length;
      await removeImagesExceptRegistry(docker);
      await pull(docker, 'library/app-one:latest');
      const fetched = (await upstreamRequests(docker))
        .slice(mark)
        .filter((r) => r.method === 'GET' && r.path.includes('/blobs/'));
      expect(fetched.length).toBeGreaterThan(0);
      await removeImagesExceptRegistry(docker);
      await pullsFromCacheAlone(docker, mirror, [...KEPT, 'library/app-one:latest']);
    } finally {
      await svc.close();
    }
  }, 300_000);
});
