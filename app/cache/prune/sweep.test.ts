// The sweep on stores built file by file: it deletes exactly the blobs nothing marks (what the 2.8
// collector deletes), never one written since the prune began, puts back a blob a pull reached while
// it was in quarantine, refuses a store it cannot judge, and a killed sweep's quarantine goes back.
import { existsSync, readdirSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../../testbed/eventually.js';
import { tempDir } from '../../../testbed/helpers.js';
import { LABELS } from '../../mirror/container-spec.js';
import type { Mirror } from '../../mirror/mirror.js';
import { scanStore } from '../scan/scanner.js';
import { blobFiles, StoreBuilder } from '../scan/test-store.js';
import { whyNotSweep } from './execute.js';
import {
  lookOf,
  quarantineOf,
  releaseQuarantine,
  sweep,
  SweepUnsupported,
  type SweepOptions,
} from './sweep.js';

const HOUR_AGO = (Date.now() - 3_600_000) / 1000;

/** Every file of the store an hour old: what was there before the prune began. */
function age(dir: string): void {
  const walk = (p: string) => {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      const q = join(p, e.name);
      if (e.isDirectory()) walk(q);
      utimesSync(q, HOUR_AGO, HOUR_AGO);
    }
  };
  walk(dir);
}

/** Two images sharing a base layer, and a blob nothing references (a leftover). */
function twoImages() {
  const dir = tempDir('drpc-sweep-');
  const s = new StoreBuilder(dir);
  const a = s.image('library/a', 'latest', ['base layer', 'a only']);
  const b = s.image('library/b', 'latest', ['base layer', 'b only']);
  const leftover = s.blob('nothing uses me');
  age(dir);
  return { dir, s, a, b, leftover, trash: join(tempDir('drpc-sweep-trash-'), 'plan') };
}

const options = (dir: string, trash: string, more: Partial<SweepOptions> = {}): SweepOptions => ({
  store: dir,
  trash,
  since: Date.now(),
  look: async (ask) => lookOf(await scanStore(dir), ask),
  ...more,
});

describe('sweep', () => {
  it('deletes exactly the blobs no repository marks once a repository is removed, and nothing else', async () => {
    const { dir, s, a, b, leftover, trash } = twoImages();
    rmSync(s.repoDir('library/a'), { recursive: true });
    const before = blobFiles(dir);
    const r = await sweep(options(dir, trash));
    const gone = [a.manifest, a.config, a.layers[1]!, leftover].sort();
    expect([...r.deleted].sort()).toEqual(gone);
    expect(r.deletedBytes).toBe(gone.reduce((n, d) => n + before.get(d)!, 0));
    expect([...blobFiles(dir).keys()].sort()).toEqual(
      [b.manifest, b.config, ...b.layers].sort(), // the shared base layer stays
    );
    expect(r.rescued).toEqual([]);
    expect(existsSync(quarantineOf(trash))).toBe(false); // the quarantine is emptied
  });

  it('keeps an unreferenced blob written since the prune began (a pull stores it before linking it)', async () => {
    const { dir, s, leftover, trash } = twoImages();
    const since = Date.now();
    const fresh = s.blob('just fetched, not linked yet');
    const r = await sweep(options(dir, trash, { since }));
    expect(r.deleted).toEqual([leftover]);
    expect(r.young).toBe(1);
    expect(blobFiles(dir).has(fresh)).toBe(true);
  });

  it('puts back a blob a pull linked while it was in quarantine (the pull had found it present)', async () => {
    const { dir, s, a, trash } = twoImages();
    rmSync(s.repoDir('library/a'), { recursive: true });
    const aOnly = a.layers[1]!;
    const r = await sweep(
      options(dir, trash, {
        // A pull of library/c sharing a's layer: it saw the blob present and links it now.
        onQuarantined: () => {
          expect(existsSync(s.blobPath(aOnly))).toBe(false);
          s.layerLink('library/c', aOnly);
        },
      }),
    );
    expect(r.rescued).toEqual([aOnly]);
    expect(r.deleted).not.toContain(aOnly);
    expect(blobFiles(dir).has(aOnly)).toBe(true);
  });

  it('deletes what only old layer links point to, as the collector does (links are no reference)', async () => {
    const { dir, s, a, leftover, trash } = twoImages();
    rmSync(join(s.repoDir('library/a'), '_manifests'), { recursive: true });
    const r = await sweep(options(dir, trash));
    expect([...r.deleted].sort()).toEqual([a.manifest, a.config, a.layers[1]!, leftover].sort());
    expect(r.rescued).toEqual([]);
  });

  it('puts back what a manifest pulled while they were in quarantine references', async () => {
    const { dir, s, a, leftover, trash } = twoImages();
    rmSync(join(s.repoDir('library/a'), '_manifests'), { recursive: true });
    const r = await sweep(
      options(dir, trash, {
        onQuarantined: () => {
          // library/a pulled again: the proxy stores its manifest anew and links it as a revision.
          s.blob(readFileSync(quarantined(trash, a.manifest)));
          s.revision('library/a', a.manifest);
        },
      }),
    );
    expect([...r.rescued].sort()).toEqual([a.manifest, a.config, a.layers[1]!].sort());
    expect(r.deleted).toEqual([leftover]);
    for (const d of [a.manifest, a.config, a.layers[1]!]) expect(blobFiles(dir).has(d), d).toBe(true);
  });

  it('looks again only once the uploads in flight have ended (a pull links what it found present, then removes its upload)', async () => {
    const { dir, s, a, trash } = twoImages();
    rmSync(s.repoDir('library/a'), { recursive: true });
    const aOnly = a.layers[1]!;
    // A pull of library/c is committing a blob it found present: its upload is still open.
    s.upload('library/c', 'f1b3c3de-0000-4000-8000-000000000001', 10);
    const upload = join(s.repoDir('library/c'), '_uploads', 'f1b3c3de-0000-4000-8000-000000000001');
    const looks: boolean[] = [];
    let quarantined = false;
    const sweeping = sweep(
      options(dir, trash, {
        look: async (ask) => {
          looks.push(existsSync(upload));
          return lookOf(await scanStore(dir), ask);
        },
        onQuarantined: () => {
          quarantined = true;
        },
      }),
    );
    await eventually(() => expect(quarantined).toBe(true));
    expect(looks).toEqual([true]); // the first look only: the sweep waits
    // The pull finishes: the link, then its upload goes.
    s.layerLink('library/c', aOnly);
    rmSync(upload, { recursive: true });
    const r = await sweeping;
    expect(looks).toEqual([true, false]);
    expect(r.uploadsInFlight).toBe(1);
    expect(r.rescued).toEqual([aOnly]);
    expect(blobFiles(dir).has(aOnly)).toBe(true);
  });

  it('does not wait for an upload nobody has written to for long (a pull cut off)', async () => {
    const { dir, s, trash } = twoImages(); // aged: the upload below is an hour old
    s.upload('library/b', 'f1b3c3de-0000-4000-8000-000000000002', 10);
    age(dir);
    const r = await sweep(options(dir, trash));
    expect(r.uploadsInFlight).toBe(0);
    expect(r.deleted.length).toBe(1); // the leftover
  });

  it('does not replace a blob the registry stored again while ours was in quarantine', async () => {
    const { dir, s, a, trash } = twoImages();
    rmSync(s.repoDir('library/a'), { recursive: true });
    const aOnly = a.layers[1]!;
    await sweep(
      options(dir, trash, {
        onQuarantined: () => {
          s.blob('a only'); // fetched anew from the upstream, then linked
          s.layerLink('library/c', aOnly);
        },
      }),
    );
    expect(blobFiles(dir).get(aOnly)).toBe('a only'.length);
    expect(existsSync(quarantineOf(trash))).toBe(false);
  });

  it("follows the registry's own collector: a repository with manifests only protects its blobs on 3.x, not on 2.8", async () => {
    for (const registry of [2, 3] as const) {
      const { dir, s, a, leftover, trash } = twoImages();
      // library/alias: a's manifest pulled under another name by an engine that had the layers.
      s.revision('library/alias', a.manifest);
      s.tag('library/alias', 'latest', a.manifest);
      age(dir);
      rmSync(s.repoDir('library/a'), { recursive: true });
      const r = await sweep(
        options(dir, trash, { look: async (ask) => lookOf(await scanStore(dir, { registry }), ask) }),
      );
      expect([...r.deleted].sort(), `registry ${registry}`).toEqual(
        registry === 2 ? [a.manifest, a.config, a.layers[1]!, leftover].sort() : [leftover],
      );
    }
  });

  it('refuses a store with a manifest it cannot read, and moves nothing', async () => {
    const { dir, s, trash } = twoImages();
    const broken = s.blob('{ not a manifest');
    s.revision('library/b', broken);
    s.layerLink('library/b', broken);
    const before = blobFiles(dir);
    await expect(sweep(options(dir, trash))).rejects.toThrow(SweepUnsupported);
    expect(blobFiles(dir)).toEqual(before);
  });

  it('puts everything back when it cannot look again (the scan worker died), and says why', async () => {
    const { dir, s, trash } = twoImages();
    rmSync(s.repoDir('library/a'), { recursive: true });
    const before = blobFiles(dir);
    let looks = 0;
    const died = new Error('scan worker exited');
    await expect(
      sweep(
        options(dir, trash, {
          look: async (ask) => {
            if (++looks === 2) throw died;
            return lookOf(await scanStore(dir), ask);
          },
        }),
      ),
    ).rejects.toBe(died);
    expect(looks).toBe(2);
    expect(blobFiles(dir)).toEqual(before);
    expect(existsSync(quarantineOf(trash))).toBe(false);
  });

  it('a sweep killed with blobs in quarantine: releaseQuarantine puts each back unless stored again', async () => {
    const { dir, s, a, trash } = twoImages();
    rmSync(s.repoDir('library/a'), { recursive: true });
    const before = blobFiles(dir);
    const died = new Error('killed');
    await expect(
      sweep(
        options(dir, trash, {
          onQuarantined: () => {
            throw died;
          },
        }),
      ),
    ).rejects.toBe(died);
    expect(blobFiles(dir).has(a.config)).toBe(false);
    s.blob(readFileSync(quarantined(trash, a.config))); // a pull stored one of them again meanwhile
    expect(await releaseQuarantine(dir, trash)).toBe(3); // manifest, a-only layer, leftover
    expect(blobFiles(dir)).toEqual(before);
    expect(existsSync(quarantineOf(trash))).toBe(false);
  });
});

function quarantined(trash: string, digest: string): string {
  const hex = digest.slice('sha256:'.length);
  return join(trash, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
}

describe('whyNotSweep', () => {
  const mirror = (remoteStorage = false, image = 'registry:2') =>
    ({ remoteStorage, settings: { image } }) as unknown as Mirror;
  const running = (labels: Record<string, string>) =>
    ({ State: { Running: true }, Config: { Labels: labels } }) as unknown as Docker.ContainerInspectInfo;

  it('sweeps a stopped mirror, or a running one made without a blob descriptor cache', () => {
    expect(whyNotSweep(mirror(), undefined, {})).toBeUndefined();
    expect(whyNotSweep(mirror(), running({ [LABELS.blobCache]: 'off' }), {})).toBeUndefined();
    // The scanner marks as 3.x's collector does for a registry 3 mirror (store-model.ts).
    expect(whyNotSweep(mirror(false, 'registry:3'), undefined, {})).toBeUndefined();
  });

  it("leaves the rest to the registry's collector, saying why", () => {
    expect(whyNotSweep(mirror(), running({}), {})).toMatch(/created by an older version/);
    expect(whyNotSweep(mirror(true), undefined, {})).toMatch(/engine's host/);
    expect(whyNotSweep(mirror(), undefined, { collector: 'gc' })).toMatch(/asked for/);
  });
});
