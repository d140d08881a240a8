// The storage scanner: one full scan, or an incremental scanner that keeps what it learnt and on each
// refresh re-reads only repositories whose fingerprint moved and blobs it has never stat'ed.
import { join } from 'node:path';
import { BlobStore } from './blob-store.js';
import { mergeUsage, usageBytes, walkUsage } from './disk-usage.js';
import { isGone, nodeFs, runQueue, type ScanFs } from './fs-port.js';
import { blobDataPath, storeLayout, V2 } from './layout.js';
import { MAX_MANIFEST_BYTES, parseManifest, type ParsedManifest } from './manifest.js';
import { collectLinks, markRepository, summarize } from './reachability.js';
import {
  fingerprint,
  fingerprintAfterRead,
  readRepository,
  type Fingerprint,
  type RepositoryRead,
} from './repository-read.js';
import { RepositoryTree } from './repository-tree.js';
import type { RepositoryScan, ScanResult } from './types.js';

export interface ScannerOptions {
  /** File-system calls (injectable to count them). */
  fs?: ScanFs;
  /** Concurrent file-system calls per walk. */
  concurrency?: number;
  /** mtimes this close to the moment they were read are not trusted for the next refresh. */
  racyWindowMs?: number;
}

export interface Scanner {
  /** Scans (the first time) or refreshes incrementally; concurrent calls run one after the other. */
  refresh(): Promise<ScanResult>;
  readonly last: ScanResult | undefined;
}

interface Known {
  read: RepositoryRead;
  underscore: string;
  /** Undefined when racy: read again next time. */
  fingerprint: string | undefined;
}

const BLOBS_DIR = join(V2, 'blobs', 'sha256');
const REPOSITORIES_DIR = join(V2, 'repositories');

export function createScanner(dataDir: string, options: ScannerOptions = {}): Scanner {
  const fs = options.fs ?? nodeFs;
  const concurrency = options.concurrency ?? 32;
  const racyWindowMs = options.racyWindowMs ?? 50;
  const layout = storeLayout(dataDir);
  const blobStore = new BlobStore(fs, layout.blobs);
  const tree = new RepositoryTree(fs, layout.repositories);
  let known = new Map<string, Known>();
  let manifests = new Map<string, ParsedManifest>();
  let last: ScanResult | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  async function scan(): Promise<ScanResult> {
    const scannedAt = Date.now();
    // Everything outside the blob store and the repositories is walked in full: a handful of entries.
    const usage = await walkUsage(
      fs,
      dataDir,
      concurrency,
      (rel) => rel !== REPOSITORIES_DIR && rel !== BLOBS_DIR,
    );
    const walk = await tree.walk(concurrency, racyWindowMs);
    mergeUsage(usage, walk.usage);

    const next = new Map<string, Known>();
    const repositoriesRead: string[] = [];
    await runQueue(walk.candidates, Math.max(1, concurrency >> 2), async (c) => {
      const underscore = c.underscore.join('/');
      const prev = known.get(c.name);
      if (prev?.fingerprint !== undefined && prev.underscore === underscore) {
        const now = await fingerprint(
          fs,
          c.dir,
          prev.read.tags.map((t) => t.name),
          racyWindowMs,
        );
        if (now.key === prev.fingerprint) {
          next.set(c.name, prev);
          return;
        }
      }
      const before: Fingerprint = await fingerprint(fs, c.dir, [], racyWindowMs);
      const startedAt = Date.now();
      const read = await readRepository(fs, c.dir, c.name, c.underscore, concurrency);
      const after = fingerprintAfterRead(before, read, startedAt, racyWindowMs);
      next.set(c.name, { read, underscore, fingerprint: after.racy ? undefined : after.key });
      repositoriesRead.push(c.name);
    });
    known = next;
    const blobs = await blobStore.refresh(concurrency, racyWindowMs);
    mergeUsage(usage, blobs.usage);

    const reads = [...next.values()].map((k) => k.read).sort((a, b) => (a.name < b.name ? -1 : 1));
    const manifestsRead = await readManifests(reads, blobs.sizes);
    for (const read of reads) mergeUsage(usage, read.usage);

    const listed = reads.filter((r) => r.hasLayers || r.hasManifests);
    const marks = summarize(
      listed.map((r) => ({
        name: r.name,
        gcEnumerated: r.hasLayers,
        ...markRepository(r, manifests, blobs.sizes),
      })),
      blobs.sizes,
    );
    const repositories: RepositoryScan[] = marks.repositories.map((m, i) => {
      const r = listed[i] as RepositoryRead;
      return {
        ...m,
        tags: r.tags.map(({ name, currentDigest, linkMtime }) => ({ name, currentDigest, linkMtime })),
        revisions: r.revisions,
        layerLinks: r.layerLinks.length,
        uploads: r.uploads,
        diskBytes: usageBytes(r.usage),
      };
    });
    const links = collectLinks(reads, blobs.sizes, REPOSITORIES_DIR);
    return {
      dataDir,
      scannedAt,
      durationMs: Date.now() - scannedAt,
      repositories,
      blobSizes: Object.fromEntries(blobs.sizes),
      blobCount: blobs.sizes.size,
      blobBytes: [...blobs.sizes.values()].reduce((a, b) => a + b, 0),
      referencedBytes: marks.referencedBytes,
      orphans: marks.orphans,
      missingLinks: links.missing,
      unreadableLinks: links.unreadable,
      uploads: {
        count: reads.reduce((n, r) => n + r.uploads.count, 0),
        bytes: reads.reduce((n, r) => n + r.uploads.bytes, 0),
      },
      diskBytes: usageBytes(usage),
      work: {
        repositoriesRead: repositoriesRead.sort(),
        blobPrefixesListed: blobs.prefixesListed,
        blobsStatted: blobs.blobsStatted,
        manifestsRead,
      },
    };
  }

  /** Parses every present revision not parsed before (content is immutable by digest); forgets the rest. */
  async function readManifests(reads: RepositoryRead[], sizes: Map<string, number>): Promise<number> {
    const wanted = new Set(reads.flatMap((r) => r.revisions).filter((d) => sizes.has(d)));
    const kept = new Map([...manifests].filter(([d]) => wanted.has(d)));
    const todo = [...wanted].filter((d) => !kept.has(d));
    await runQueue(todo, concurrency, async (digest) => {
      if ((sizes.get(digest) ?? 0) > MAX_MANIFEST_BYTES) {
        kept.set(digest, { ok: false, error: 'too large for a manifest' });
        return;
      }
      try {
        kept.set(digest, parseManifest(await fs.readFile(blobDataPath(layout, digest))));
      } catch (err) {
        if (!isGone(err)) throw err;
      }
    });
    manifests = kept;
    return todo.length;
  }

  return {
    refresh() {
      const run = queue.then(scan, scan);
      queue = run.then(
        (result) => (last = result),
        () => undefined,
      );
      return run;
    },
    get last() {
      return last;
    },
  };
}

/** One full scan of the store. */
export function scanStore(dataDir: string, options: ScannerOptions = {}): Promise<ScanResult> {
  return createScanner(dataDir, options).refresh();
}
