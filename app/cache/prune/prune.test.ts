// Prune on the real test bed: exact previews, what survives offline, tag-level prune, crash safety.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setMirrors } from '../../../testbed/dockerd.js';
import { ALL_REFS } from '../../../testbed/fixtures.js';
import {
  pull,
  pullAll,
  pullsFromCacheAlone,
  removeLocalImages,
  testbed,
  testDocker,
  testMirrorSettings,
} from '../../../testbed/helpers.js';
import { upstreamRequests } from '../../../testbed/upstream.js';
import { readCatalog } from '../../mirror/http.js';
import { Mirror } from '../../mirror/mirror.js';
import { mirrorDirs, type MirrorSettings } from '../../mirror/settings.js';
import { scanStore } from '../scan/scanner.js';
import { executePrune } from './execute.js';
import { readJournal } from './journal.js';
import { planPrune, type PruneItem } from './plan.js';
import { recoverPrune } from './recover.js';
import { pruneKilledAt } from './test-killed-prune.js';

const execFileP = promisify(execFile);
const ALL = ALL_REFS;

describe('prune', () => {
  const docker = testDocker();
  let settings: MirrorSettings;
  let mirror: Mirror;
  const store = () => mirrorDirs(settings).data;

  /** Cold pulls of every fixture through the mirror, each with no local layers so every layer is linked. */
  /** Cold pulls through the mirror, each with no local layers, so every layer is linked. */
  const fill = (refs = ALL) => pullAll(docker, refs);

  const pullsOffline = (refs: string[]) => pullsFromCacheAlone(docker, mirror, refs);

  beforeAll(async () => {
    settings = await testMirrorSettings('drpc-prune');
    mirror = new Mirror({ docker, settings });
    await mirror.up();
    await setMirrors([mirror.mirrorUrl]);
    await fill();
  });
  afterAll(async () => {
    await setMirrors([]);
    await mirror.remove().catch(() => {});
  });

  it('frees exactly the exclusive bytes of a repository that shares a base layer, and the rest still pulls offline', async () => {
    const scan = await scanStore(store());
    const one = scan.repositories.find((r) => r.name === 'library/app-one')!;
    expect(one.sharedBytes).toBeGreaterThan(0); // the base layer app-two and multi also use
    const plan = await planPrune(scan, store(), [{ repo: 'library/app-one' }]);
    expect(plan.bytes).toBe(one.exclusiveBytes);
    const result = await executePrune(docker, mirror, plan);
    expect(result.freedBytes).toBe(plan.bytes + plan.orphanBytes);
    expect(result.freedBytes).toBe(one.exclusiveBytes + scan.orphans.bytes);
    expect(await readCatalog(mirror.baseUrl)).not.toContain('library/app-one');
    expect((await mirror.status()).state).toBe('running');

    await pullsOffline(['library/app-two:latest', 'library/multi:latest', 'library/busybox:latest']);

    // The pruned one comes back from the upstream.
    const mark = (await upstreamRequests(docker)).length;
    await pull(docker, 'library/app-one:latest');
    const fetched = (await upstreamRequests(docker))
      .slice(mark)
      .filter((r) => r.method === 'GET' && r.path.includes('/blobs/'));
    expect(fetched.length).toBeGreaterThan(0);
    await removeLocalImages(docker, ALL);
  }, 240_000);

  it('prunes one tag of two: the other still pulls offline, and the bytes match the preview', async () => {
    const scan = await scanStore(store());
    const plan = await planPrune(scan, store(), [{ repo: 'library/twotags', tag: 'v1' }]);
    expect(plan.repositories).toEqual([]);
    expect(plan.tags).toEqual([
      { repo: 'library/twotags', tag: 'v1', revisions: [expect.stringMatching(/^sha256:/)] },
    ]);
    expect(plan.bytes).toBeGreaterThan(0);
    const result = await executePrune(docker, mirror, plan);
    expect(result.freedBytes).toBe(plan.bytes + plan.orphanBytes);
    const after = await scanStore(store());
    expect(after.repositories.find((r) => r.name === 'library/twotags')!.tags.map((t) => t.name)).toEqual([
      'v2',
    ]);
    await pullsOffline(['library/twotags:v2', 'library/multi:latest']);
  }, 240_000);

  it('refuses names that are not names and leaves everything in place', async () => {
    const scan = await scanStore(store());
    for (const items of [
      [{ repo: '../x' }],
      [{ repo: 'library/busybox', tag: '../../etc' }],
      [{ repo: 'library/nope' }],
    ] as PruneItem[][]) {
      await expect(planPrune(scan, store(), items)).rejects.toThrow(
        /not a repository name|not a tag name|not in the cache/,
      );
    }
    expect((await scanStore(store())).blobBytes).toBe(scan.blobBytes);
  });

  describe.each([
    ['removing', 'sweep'],
    ['removed', 'sweep'],
    ['collecting', 'sweep'],
    ['stopped', 'gc'],
    ['collecting', 'gc'],
  ] as const)('killed at %s (%s)', (step, collector) => {
    it('recoverPrune (the step every open of the mirror runs) finishes or rolls it back; nothing outside the selection is lost', async () => {
      await fill(['library/app-one:latest', 'library/busybox:latest']);
      const before = await scanStore(store());
      const target = before.repositories.find((r) => r.name === 'library/app-one')!;
      const others = before.repositories.filter((r) => r.name !== 'library/app-one');
      const killed = await pruneKilledAt(settings, [{ repo: 'library/app-one' }], step, collector);
      expect(killed.end, killed.stderr).toBe('SIGKILL');
      expect((await readJournal(settings.dataDir))?.step).toBe(step);

      const rec = await recoverPrune(docker, mirror);
      expect(rec.action).toBe(step === 'stopped' || step === 'removing' ? 'rolled-back' : 'completed');
      // Killed with blobs in quarantine: they went back before the sweep ran again.
      if (collector === 'sweep' && step === 'collecting') expect(rec.released).toBeGreaterThan(0);
      expect(await readJournal(settings.dataDir)).toBeUndefined();
      expect((await mirror.status()).state).toBe('running');
      const after = await scanStore(store());
      const names = after.repositories.map((r) => r.name);
      if (rec.action === 'rolled-back') {
        expect(names).toContain('library/app-one');
        expect(after.blobBytes).toBe(before.blobBytes);
      } else {
        expect(names).not.toContain('library/app-one');
        expect(before.blobBytes - after.blobBytes).toBe(target.exclusiveBytes + before.orphans.bytes);
      }
      // Every other repository kept every blob it marks.
      for (const o of others) {
        expect(after.repositories.find((r) => r.name === o.name)?.blobs, o.name).toEqual(o.blobs);
      }
      expect(after.missingLinks).toEqual([]);
      await pullsOffline(['library/app-two:latest', 'library/busybox:latest']);
    }, 240_000);
  });

  it('never leaves a garbage-collection container behind', async () => {
    const { stdout } = await execFileP('docker', [
      '-H',
      testbed().dockerHost,
      'ps',
      '-aq',
      '--filter',
      'label=io.drpc.role=gc',
    ]);
    expect(stdout.trim()).toBe('');
  });
});
