// Against the real registry: a store written by `docker-registry serve` (2.8.2, Debian's binary), and
// its own garbage collector as the oracle for what is marked, orphaned and freed.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedUpstream } from '../../../testbed/fixtures.js';
import { planRepositoryRemoval } from './reachability.js';
import { scanStore } from './scanner.js';
import { blobFiles, duBytes } from './test-store.js';
import type { ScanResult } from './types.js';

const REGISTRY = '/usr/bin/docker-registry';
const run = promisify(execFile);

async function freePort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as { port: number };
  srv.close();
  return port;
}

function writeConfig(dir: string, dataDir: string, port = 0): string {
  const cfg = join(dir, `cfg-${basename(dataDir)}-${port}.yml`);
  const yaml = `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dataDir}\nhttp:\n  addr: 127.0.0.1:${port}\n`;
  writeFileSync(cfg, yaml);
  return cfg;
}

interface GcReport {
  marked: number;
  eligible: string[];
}

async function garbageCollect(dir: string, dataDir: string, dryRun: boolean): Promise<GcReport> {
  const args = ['garbage-collect', ...(dryRun ? ['--dry-run'] : []), writeConfig(dir, dataDir)];
  const { stdout } = await run(REGISTRY, args, { maxBuffer: 64 * 1024 * 1024 });
  const summary = /(\d+) blobs marked, (\d+) blobs and (\d+) manifests eligible for deletion/.exec(stdout);
  if (!summary) throw new Error(`no GC summary in: ${stdout}`);
  const eligible = [...stdout.matchAll(/blob eligible for deletion: (sha256:[0-9a-f]{64})/g)].map(
    (m) => m[1] as string,
  );
  expect(eligible).toHaveLength(Number(summary[2]));
  return { marked: Number(summary[1]), eligible: eligible.sort() };
}

/** Digests GC marks according to the scan: everything marked through an enumerated repository. */
const markedByScan = (scan: ScanResult) =>
  new Set(scan.repositories.filter((r) => r.gcEnumerated).flatMap((r) => r.blobs));

// Where the binary is missing the block is skipped, and says why; in CI a skip fails the run
// (testbed/skip-reporter.ts): the GC oracle backs the exactness of the sizes, so it must run there.
describe.skipIf(!existsSync(REGISTRY))(
  `a store written by the real registry${existsSync(REGISTRY) ? '' : ` (skipped: no ${REGISTRY}: apt-get install docker-registry)`}`,
  () => {
    let dir: string;
    let dataDir: string;
    let registry: ChildProcess | undefined;
    let seeded: Awaited<ReturnType<typeof seedUpstream>>;
    let scan: ScanResult;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'scan-registry-'));
      dataDir = join(dir, 'data');
      const port = await freePort();
      registry = spawn(REGISTRY, ['serve', writeConfig(dir, dataDir, port)], { stdio: 'ignore' });
      const base = `http://127.0.0.1:${port}`;
      for (let i = 0; ; i++) {
        const ok = await fetch(`${base}/v2/`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        if (i > 100) throw new Error('registry did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
      seeded = await seedUpstream(base);
      // GC must not run while the registry serves: stop it (our own child, by its pid).
      const exited = once(registry, 'exit');
      registry.kill('SIGTERM');
      await exited;
      registry = undefined;
      scan = await scanStore(dataDir);
    }, 60_000);

    afterAll(() => {
      registry?.kill('SIGKILL');
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('finds the pushed repositories, tags and revisions', () => {
      const names = [...new Set([...seeded.images.map((i) => i.repo), seeded.multi.repo])].sort();
      expect(scan.repositories.map((r) => r.name)).toEqual(names);
      const twotags = scan.repositories.find((r) => r.name === 'library/twotags');
      expect(twotags?.tags.map((t) => t.currentDigest)).toEqual(
        seeded.images.filter((i) => i.repo === 'library/twotags').map((i) => i.manifestDigest),
      );
      const multi = scan.repositories.find((r) => r.name === seeded.multi.repo);
      expect(multi?.revisions).toEqual(
        [seeded.multi.listDigest, ...seeded.multi.platforms.map((p) => p.manifestDigest)].sort(),
      );
      expect(multi?.missingReferences).toEqual([]);
    });

    it('totals match a walk of the blob files and du -sb', async () => {
      const files = blobFiles(dataDir);
      expect(scan.blobSizes).toEqual(Object.fromEntries(files));
      expect(scan.blobBytes).toBe([...files.values()].reduce((a, b) => a + b, 0));
      expect(scan.diskBytes).toBe(await duBytes(dataDir));
    });

    it('marks what the garbage collector marks', async () => {
      const gc = await garbageCollect(dir, dataDir, true);
      expect(gc.marked).toBe(markedByScan(scan).size);
      expect(gc.eligible).toEqual(scan.orphans.digests);
      expect(scan.orphans.digests).toEqual([]);
    });

    it.each(['library/app-one', 'library/multi', 'library/twotags', 'library/busybox'])(
      'exclusiveBytes of %s is what deleting it and collecting garbage frees',
      async (name) => {
        const copy = join(dir, `copy-${name.replace('/', '-')}`);
        cpSync(dataDir, copy, { recursive: true });
        const before = blobFiles(copy);
        rmSync(join(copy, 'docker/registry/v2/repositories', name), { recursive: true });
        await garbageCollect(dir, copy, false);
        const after = blobFiles(copy);
        const freed = [...before.keys()].filter((d) => !after.has(d)).sort();
        const freedBytes = freed.reduce((n, d) => n + (before.get(d) ?? 0), 0);
        const r = scan.repositories.find((x) => x.name === name);
        expect(r?.exclusiveBytes).toBe(freedBytes);
        expect(freedBytes).toBeGreaterThan(0);
        expect(planRepositoryRemoval(scan, [name]).digests).toEqual(freed);
        rmSync(copy, { recursive: true });
      },
    );

    it('agrees with GC on odd stores: a repository without _layers, an unlinked platform manifest, an orphan', async () => {
      const copy = join(dir, 'copy-odd');
      cpSync(dataDir, copy, { recursive: true });
      const repos = join(copy, 'docker/registry/v2/repositories/library');
      rmSync(join(repos, 'busybox', '_layers'), { recursive: true });
      const arm = seeded.multi.platforms.find((p) => p.architecture === 'arm64')?.manifestDigest as string;
      rmSync(join(repos, 'multi/_manifests/revisions/sha256', arm.slice(7)), { recursive: true });
      const extra = join(copy, 'docker/registry/v2/blobs/sha256/00', '00'.repeat(32));
      mkdirSync(extra, { recursive: true });
      writeFileSync(join(extra, 'data'), 'an orphan');
      const odd = await scanStore(copy);
      expect(odd.repositories.find((r) => r.name === 'library/busybox')?.gcEnumerated).toBe(false);
      const gc = await garbageCollect(dir, copy, true);
      expect(odd.orphans.digests).toEqual(gc.eligible);
      // busybox's manifest, config and layer; arm64's config and own layer (not its manifest: the list marks it); the extra
      expect(gc.eligible).toHaveLength(6);
      expect(gc.eligible).toContain(`sha256:${'00'.repeat(32)}`);
      expect(gc.eligible).not.toContain(arm);
      expect(gc.marked).toBe(markedByScan(odd).size);
    });
  },
);
