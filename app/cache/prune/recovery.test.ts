// A prune killed at each step, then the pruned repository pulled again before anything resolved it:
// recovery (recoverPrune, the step the startup sequence runs at every open; called directly here),
// then up, ls, a prune of another repository and a reset all succeed, and nothing outside the first
// selection is lost. Prune and reset while offline bring the mirror back offline.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { setMirrors } from '../../../testbed/dockerd.js';
import {
  pull,
  pullAll,
  pullsFromCacheAlone,
  removeImagesExceptRegistry,
  tempDir,
  testDocker,
  testMirrorSettings,
} from '../../../testbed/helpers.js';
import { startUpstream, stopUpstream } from '../../../testbed/upstream.js';
import { readCatalog } from '../../mirror/http.js';
import { Mirror, modeOf } from '../../mirror/mirror.js';
import { mirrorDirs, type MirrorSettings } from '../../mirror/settings.js';
import { RESET_CONFIRMATION } from '../reset.js';
import { scanStore } from '../scan/scanner.js';
import type { RepositoryScan, ScanResult } from '../scan/types.js';
import { CacheService } from '../service.js';
import { readJournal, type PruneStep } from './journal.js';
import { recoverPrune } from './recover.js';
import { serveAgain } from './serve-again.js';
import { leftoverCollectionsEnded, pruneKilledAt } from './test-killed-prune.js';

const ONE = 'library/app-one';
const REFS = ['library/app-one:latest', 'library/app-two:latest', 'library/busybox:latest'];

/** What a repository holds, as far as serving it goes. */
const held = (r: RepositoryScan | undefined) =>
  r && {
    blobs: r.blobs,
    totalBytes: r.totalBytes,
    layerLinks: r.layerLinks,
    tags: r.tags.map((t) => t.name),
  };

/** Polls read() (200 ms apart, up to 60 s) until ok() holds; fails naming what and the last value. */
const until = <T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> =>
  vi.waitFor(
    async () => {
      const v = await read();
      if (!ok(v)) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
      return v;
    },
    { timeout: 60_000, interval: 200 },
  );

describe('prune recovery', () => {
  const docker = testDocker();
  let settings: MirrorSettings;
  let mirror: Mirror;
  let svc: CacheService;
  const store = () => mirrorDirs(settings).data;

  /** Cold pulls through the mirror, each with no local layers, so every layer is linked. */
  const fill = (refs = REFS) => pullAll(docker, refs);

  /** Every blob a repository marks is in the store and linked: the registry finished storing a pull. */
  const settledLike = (want: RepositoryScan) => (scan: ScanResult) =>
    JSON.stringify(held(scan.repositories.find((r) => r.name === want.name))) === JSON.stringify(held(want));

  beforeAll(async () => {
    settings = await testMirrorSettings('drpc-recovery');
    mirror = new Mirror({ docker, settings });
    await mirror.up();
    await setMirrors([mirror.mirrorUrl]);
    svc = new CacheService({ docker, mirror, stateDir: tempDir('drpc-recovery-state-') });
  });
  afterAll(async () => {
    await svc.close();
    await setMirrors([]);
    await mirror.remove().catch(() => {});
  });

  describe.each([
    ['removing', 'sweep'],
    ['removed', 'sweep'],
    ['collecting', 'sweep'],
    ['stopped', 'gc'],
  ] as Array<[PruneStep, 'sweep' | 'gc']>)('killed at %s (%s)', (step, collector) => {
    it('then pulled again: recovery keeps the new pull, and up, ls, prune and reset succeed', async () => {
      await fill();
      const before = await scanStore(store());
      const one = before.repositories.find((r) => r.name === ONE)!;
      const others = before.repositories.filter((r) => r.name !== ONE);
      expect(others.map((r) => r.name).sort()).toEqual(['library/app-two', 'library/busybox']);

      const killed = await pruneKilledAt(settings, [{ repo: ONE }], step, collector);
      expect(killed.end, killed.stderr).toBe('SIGKILL');
      expect((await readJournal(settings.dataDir))?.step).toBe(step);

      // Before anything resolves it, the mirror serves again (the user's `up`, or a supervisor) and the
      // user pulls the pruned repository again. (A collection the dead process left running ends
      // first: a mirror started during it is issue #19's lock, not recovery.)
      await leftoverCollectionsEnded(docker, settings.dataDir);
      expect((await mirror.up()).status.state).toBe('running');
      await removeImagesExceptRegistry(docker);
      await pull(docker, `${ONE}:latest`);
      await removeImagesExceptRegistry(docker);
      await until('the re-pull stored', () => scanStore(store()), settledLike(one));

      const rec = await recoverPrune(docker, mirror);
      expect(rec.action).toBe(step === 'stopped' || step === 'removing' ? 'rolled-back' : 'completed');
      expect(rec.mode).toBe('proxy');
      expect(rec.collectError).toBeUndefined();
      console.log(`recovery after a kill at ${step} and a re-pull: ${rec.ms} ms`);
      expect(await readJournal(settings.dataDir)).toBeUndefined();
      const after = await scanStore(store());
      // The re-pulled repository keeps what it holds now, and everything else what it held.
      expect(held(after.repositories.find((r) => r.name === ONE))).toEqual(held(one));
      for (const o of others)
        expect(held(after.repositories.find((r) => r.name === o.name)), o.name).toEqual(held(o));
      expect(after.missingLinks).toEqual([]);

      // up (the mirror serving: it is already), then every image pulls from the cache alone (offline mode).
      expect((await mirror.up()).status.state).toBe('running');
      await pullsFromCacheAlone(docker, mirror, REFS);

      // ls
      const report = await svc.report();
      expect(report.repositories.map((r) => r.name).sort()).toEqual([
        ONE,
        'library/app-two',
        'library/busybox',
      ]);

      // a prune of another repository
      const plan = await svc.plan({ kind: 'items', items: [{ repo: 'library/busybox' }] });
      const pruned = await svc.prune(plan);
      expect(pruned.mode).toBe('proxy');
      expect(await readCatalog(mirror.baseUrl)).not.toContain('library/busybox');
      const afterPrune = await scanStore(store());
      expect(held(afterPrune.repositories.find((r) => r.name === ONE))).toEqual(held(one));
      await pullsFromCacheAlone(docker, mirror, ['library/app-one:latest', 'library/app-two:latest']);

      // reset
      const reset = await svc.reset(RESET_CONFIRMATION);
      expect(reset.status.state).toBe('running');
      expect(await readCatalog(mirror.baseUrl)).toEqual([]);
    }, 300_000);
  });

  it('a reset with a killed prune unresolved and the repository pulled again: succeeds, trash and journal gone', async () => {
    await fill([`${ONE}:latest`, 'library/busybox:latest']);
    const killed = await pruneKilledAt(settings, [{ repo: ONE }], 'removed');
    expect(killed.end, killed.stderr).toBe('SIGKILL');
    await mirror.up();
    await removeImagesExceptRegistry(docker);
    await pull(docker, `${ONE}:latest`);
    await removeImagesExceptRegistry(docker);
    const reset = await svc.reset(RESET_CONFIRMATION);
    expect(reset.status.state).toBe('running');
    expect(await readJournal(settings.dataDir)).toBeUndefined();
    expect(await readCatalog(mirror.baseUrl)).toEqual([]);
    expect((await recoverPrune(docker, mirror)).action).toBe('none');
  }, 240_000);

  it('a killed prune and a changed data directory: each data dir resolves its own journal, and only its own', async () => {
    await fill([`${ONE}:latest`, 'library/busybox:latest']);
    const before = await scanStore(store());
    const killed = await pruneKilledAt(settings, [{ repo: ONE }], 'removed');
    expect(killed.end, killed.stderr).toBe('SIGKILL');
    const journal = await readJournal(settings.dataDir);
    expect(journal).toMatchObject({ step: 'removed', dataDir: settings.dataDir, mode: 'proxy' });

    // The user points the mirror at another data dir: opening it finds nothing to resolve there and
    // touches neither the other dir's journal nor the mirror now serving it.
    const other = new Mirror({ docker, settings: { ...settings, dataDir: tempDir('drpc-recovery-b-') } });
    expect((await other.up()).status.state).toBe('running');
    expect((await recoverPrune(docker, other)).action).toBe('none');
    expect((await other.status()).state).toBe('running');
    expect(await readJournal(settings.dataDir)).toEqual(journal);

    // Back to the first: its journal is finished there, and the mirror serves that data dir again.
    const rec = await recoverPrune(docker, mirror);
    expect(rec).toMatchObject({ action: 'completed', mode: 'proxy' });
    expect((await mirror.inspect())?.Config.Labels?.['io.drpc.data-dir']).toBe(settings.dataDir);
    expect((await mirror.status()).state).toBe('running');
    const after = await scanStore(store());
    expect(after.repositories.map((r) => r.name)).toEqual(['library/busybox']);
    expect(held(after.repositories[0])).toEqual(
      held(before.repositories.find((r) => r.name === 'library/busybox')),
    );
    await svc.reset(RESET_CONFIRMATION);
  }, 240_000);

  it('prune and reset while offline: the mirror comes back offline and serves', async () => {
    await fill();
    await stopUpstream(docker);
    try {
      // Offline as the mode controller makes it (links repaired, then the offline container).
      expect((await serveAgain(mirror, 'offline')).status.state).toBe('running');

      const plan = await svc.plan({ kind: 'items', items: [{ repo: ONE }] });
      const pruned = await svc.prune(plan);
      expect(pruned.mode).toBe('offline');
      expect(modeOf((await mirror.inspect())!)).toBe('offline');
      expect((await mirror.status()).state).toBe('running');
      for (const ref of ['library/app-two:latest', 'library/busybox:latest']) {
        await removeImagesExceptRegistry(docker);
        await pull(docker, ref);
      }

      // Killed while offline: recovered offline.
      const killed = await pruneKilledAt(settings, [{ repo: 'library/app-two' }], 'collecting');
      expect(killed.end, killed.stderr).toBe('SIGKILL');
      expect((await readJournal(settings.dataDir))?.mode).toBe('offline');
      const rec = await recoverPrune(docker, mirror);
      expect(rec).toMatchObject({ action: 'completed', mode: 'offline' });
      expect(modeOf((await mirror.inspect())!)).toBe('offline');
      await removeImagesExceptRegistry(docker);
      await pull(docker, 'library/busybox:latest');

      const reset = await svc.reset(RESET_CONFIRMATION);
      expect(reset.mode).toBe('offline');
      expect(reset.status.state).toBe('running');
      expect(modeOf((await mirror.inspect())!)).toBe('offline');
      expect(await readCatalog(mirror.baseUrl)).toEqual([]);
    } finally {
      await startUpstream(docker);
      await removeImagesExceptRegistry(docker);
      await mirror.up();
    }
  }, 300_000);
});
