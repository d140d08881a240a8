// The scanner's model of a store, refreshed in place: what each repository links, what the blob store
// holds, what each manifest references, and from those what GC marks, per repository and cache-wide.
//
// Digests are interned (digests.ts): repositories, manifests and the blob store hold integer ids, and
// blob sizes and mark counts live in typed arrays by id. A refresh re-reads what moved (repositories
// whose mtimes changed, blob prefix directories whose mtime changed, manifests not parsed yet), then
// recomputes marks only for repositories whose links or inputs changed; totals and cache-wide figures
// are sums over typed arrays. Results (ScanResult, summaries) are made from the model on demand, and
// their per-repository parts are kept and reused until that repository changes.
//
// `refresh` is a generator: it yields every few hundred file-system calls, so the same code runs to the
// end on a worker thread and in time slices on the main thread (scanner.ts).
import { resolve } from 'node:path';
import { isRepositoryName } from '../prune/names.js';
import { BlobStore } from './blob-store.js';
import { DigestTable, IdSet } from './digests.js';
import { emptyUsage, mergeUsage, usageBytes, walkUsage, type DiskUsage } from './disk-usage.js';
import { readOrNone, type ScanFs } from './fs-port.js';
import { storeLayout, V2, type StoreLayout } from './layout.js';
import { MAX_MANIFEST_BYTES, parseManifest, type ManifestKind, type ReferenceRole } from './manifest.js';
import { readRepository, unchanged, type RepositoryRead } from './repository-read.js';
import { RepositoryTree } from './repository-tree.js';
import { problemOf, type StoreLook } from './store-look.js';
import type { RepositorySummary, ScanSummary } from './summary.js';
import type {
  MissingLink,
  MissingReference,
  RefreshWork,
  RepositoryScan,
  ScanResult,
  TagInfo,
  UploadStats,
} from './types.js';

/** What changed since the last refresh, when the caller knows (e.g. the access log saw these pulled). */
export interface RefreshHint {
  /**
   * Repositories that changed. The refresh then re-reads these (and what the last refresh could not
   * trust yet: racy mtimes), looks up in the blob store the blobs they link that it did not hold, and
   * trusts everything else as it was: other repositories, and the blob store's other contents (a blob
   * expired or written elsewhere). Work proportional to the change, not to the store. What changed
   * elsewhere shows up at the next refresh without a hint, which looks everywhere.
   */
  repositories: string[];
}

type Manifest =
  | {
      ok: true;
      kind: ManifestKind;
      refs: number[];
      roles: ReferenceRole[];
      /** Per reference, for index entries that name one. */
      platforms: Array<string | undefined> | undefined;
    }
  | { ok: false; error: string };

interface Repo {
  name: string;
  dir: string;
  read: RepositoryRead;
  /** Listed in results: it has `_layers` or `_manifests`. */
  listed: boolean;
  /** Digest ids GC marks from it (unique, unsorted); empty when not listed. */
  marks: number[];
  /** Whether its marks are counted in `markCount` (it was GC-enumerated when they were added). */
  counted: boolean;
  missingReferences: MissingReference[];
  manifestProblems: Array<{ digest: string; error: string }>;
  /** Its links (layer, revision, tag) whose blob is missing. */
  missingLinks: MissingLink[];
  /** Ids of the digests in `missingLinks` and `missingReferences`: a blob added matters only to these. */
  missingIds: number[];
  totalBytes: number;
  exclusiveBytes: number;
  /** Marks must be recomputed. */
  dirty: boolean;
  /** Results made from it, dropped when it changes. */
  scan?: RepositoryScan;
  summary?: RepositorySummary;
  /** `summary` may be out of date: made again (and kept only if it differs) on the next summary. */
  summaryStale?: boolean;
}

export interface ModelOptions {
  fs: ScanFs;
  racyWindowMs: number;
  /**
   * Keep the full per-repository results and the blob sizes record between results, so the next
   * result after a small change is cheap (in-process, where every refresh returns a full result).
   * A worker that mostly sends summaries does not keep them (memory).
   */
  keepResults?: boolean;
  /**
   * The digest table is compacted (ids of digests nothing refers to any more dropped) once it holds
   * this many more than twice the blobs and manifests the model knows. Default 65,536; tests lower it.
   */
  compactSlack?: number;
  /**
   * Whose collector's rules the marks follow: 2 (the default) enumerates the repositories that have
   * layer links (`_layers`), 3 those that have manifests (`_manifests`; 3.x's catalog walk).
   */
  registry?: 2 | 3;
}

/** The parts of a summary that are not per repository. */
export type SummaryHead = Omit<ScanSummary, 'repositories'>;

/** Digest ids a repository links: layers, revisions, tags. */
function linkedIds(read: RepositoryRead): number[] {
  const out = [...read.layerLinks, ...read.revisions];
  for (const t of read.tags) {
    if (t.current >= 0) out.push(t.current);
    for (const id of t.index) out.push(id);
  }
  return out;
}

function sameSummary(a: RepositorySummary, b: RepositorySummary): boolean {
  const scalars = [
    'name',
    'gcEnumerated',
    'revisionCount',
    'layerLinks',
    'blobCount',
    'totalBytes',
    'exclusiveBytes',
    'sharedBytes',
    'missingReferenceCount',
    'manifestProblemCount',
    'diskBytes',
  ] as const;
  return (
    scalars.every((k) => a[k] === b[k]) &&
    a.uploads.count === b.uploads.count &&
    a.uploads.bytes === b.uploads.bytes &&
    a.tags.length === b.tags.length &&
    a.tags.every((t, i) => {
      const u = b.tags[i] as TagInfo;
      return t.name === u.name && t.currentDigest === u.currentDigest && t.linkMtime === u.linkMtime;
    })
  );
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export class StoreModel {
  readonly layout: StoreLayout;
  private readonly fs: ScanFs;
  private readonly racyWindowMs: number;
  private readonly keepResults: boolean;
  private readonly compactSlack: number;
  private readonly digests = new DigestTable();
  private readonly tree: RepositoryTree;
  private readonly blobs: BlobStore;
  private repos = new Map<string, Repo>();
  /** Repositories sorted by name; undefined when the set changed. */
  private order: Repo[] | undefined;
  private manifests = new Map<number, Manifest>();
  /** Repositories whose last read was racy: looked at again by every refresh, hinted or not. */
  private racy = new Set<string>();
  /** How many GC-enumerated repositories mark each digest id. */
  private markCount = new Int32Array(1024);
  private outside: DiskUsage = emptyUsage();
  private readonly registry: 2 | 3;
  private state: (SummaryHead & { orphanIds: number[] }) | undefined;
  private blobSizes: Record<string, number> | undefined;
  private readonly seen = new IdSet();
  private readonly changed = new IdSet();

  constructor(
    readonly dataDir: string,
    options: ModelOptions,
  ) {
    this.fs = options.fs;
    this.racyWindowMs = options.racyWindowMs;
    this.keepResults = options.keepResults ?? true;
    this.compactSlack = options.compactSlack ?? 65536;
    this.registry = options.registry ?? 2;
    // Paths are joined with '/' from here on: start from a normalized one.
    this.layout = storeLayout(resolve(dataDir));
    this.tree = new RepositoryTree(this.fs, this.layout.repositories);
    this.blobs = new BlobStore(this.fs, this.layout.blobs, this.digests);
  }

  /** Whether the collector enumerates this repository (and so its marks protect anything). */
  private enumerated(read: RepositoryRead): boolean {
    return this.registry === 3 ? read.hasManifests : read.hasLayers;
  }

  get scanned(): boolean {
    return this.state !== undefined;
  }

  /** Brings the model up to date with the store (the first time: reads everything). */
  *refresh(hint?: RefreshHint): Generator<void, void> {
    const scannedAt = Date.now();
    const scope = this.state && hint ? new Set(hint.repositories.filter(isRepositoryName)) : undefined;
    const { fs, layout, racyWindowMs } = this;

    // Everything outside the blob store and the repositories is walked in full: a handful of entries.
    this.outside = emptyUsage();
    walkUsage(fs, layout.dataDir, this.outside, (p) => p === layout.repositories || p === layout.blobs);
    yield;
    const walk = yield* this.tree.walk(racyWindowMs, scope);
    const live = this.tree.repositories();
    for (const [name, repo] of this.repos) {
      if (!live.has(name)) {
        this.uncount(repo);
        this.repos.delete(name);
        this.racy.delete(name);
        this.order = undefined;
      }
    }
    const repositoriesRead: string[] = [];
    const check = new Map<string, { name: string; dir: string }>(walk.visited.map((c) => [c.name, c]));
    // Racy reads are looked at again even when a hint says nothing changed there.
    if (scope) {
      for (const name of this.racy) {
        const repo = this.repos.get(name);
        if (repo) check.set(name, repo);
      }
    }
    let checked = 0;
    for (const { name, dir } of check.values()) {
      if ((++checked & 31) === 0) yield;
      const underscore = live.get(name);
      if (!underscore) continue;
      const known = this.repos.get(name);
      if (
        known &&
        !scope?.has(name) &&
        known.read.underscore.join('/') === underscore.join('/') &&
        unchanged(fs, dir, known.read)
      ) {
        continue;
      }
      yield;
      const read = yield* readRepository(fs, this.digests, dir, name, underscore, racyWindowMs);
      repositoriesRead.push(name);
      if (read.racy) this.racy.add(name);
      else this.racy.delete(name);
      if (known) {
        known.read = read;
        known.listed = read.hasLayers || read.hasManifests;
        known.dirty = true;
        known.scan = undefined;
        known.summaryStale = true;
      } else {
        this.repos.set(name, {
          name,
          dir,
          read,
          listed: read.hasLayers || read.hasManifests,
          marks: [],
          counted: false,
          missingReferences: [],
          manifestProblems: [],
          missingLinks: [],
          missingIds: [],
          totalBytes: 0,
          exclusiveBytes: 0,
          dirty: true,
        });
        this.order = undefined;
      }
    }
    const changed = this.changed;
    changed.clear();
    let blobs: { prefixesListed: number; blobsStatted: number; changed: number[]; dropped: boolean };
    let manifestsRead = 0;
    if (!scope) {
      blobs = yield* this.blobs.refresh(racyWindowMs);
      for (const id of blobs.changed) changed.add(id);
      if (repositoriesRead.length > 0 || blobs.changed.length > 0)
        manifestsRead = yield* this.readManifests(changed);
    } else {
      // Hinted: the blob store is not listed; the blobs the repositories just read link and the store
      // was not known to hold are looked up one by one, then those their new manifests reference.
      const reread = repositoriesRead.map((name) => this.repos.get(name) as Repo);
      const linked = yield* this.blobs.statBlobs(reread.flatMap((r) => linkedIds(r.read)));
      for (const id of linked.changed) changed.add(id);
      manifestsRead = yield* this.readManifests(changed);
      const referenced = yield* this.blobs.statBlobs(reread.flatMap((r) => this.referencedIds(r.read)));
      for (const id of referenced.changed) changed.add(id);
      blobs = {
        prefixesListed: 0,
        blobsStatted: linked.blobsStatted + referenced.blobsStatted,
        changed: [...linked.changed, ...referenced.changed],
        dropped: false,
      };
    }
    yield;
    if (blobs.changed.length > 0 || manifestsRead > 0) this.dirtyReaching(changed, blobs.dropped);
    yield;
    let i = 0;
    for (const repo of this.repos.values()) {
      if (!repo.dirty) continue;
      if ((++i & 31) === 0) yield;
      this.mark(repo);
    }
    yield;
    this.totals();
    yield;
    if (blobs.changed.length > 0) this.blobSizes = undefined;
    if (this.digests.length > 2 * (this.blobs.count + this.manifests.size) + this.compactSlack)
      this.compact();

    this.state = {
      ...this.cacheWide(),
      dataDir: this.dataDir,
      scannedAt,
      durationMs: Date.now() - scannedAt,
      work: {
        repositoriesRead: repositoriesRead.sort(),
        blobPrefixesListed: blobs.prefixesListed,
        blobsStatted: blobs.blobsStatted,
        manifestsRead,
      } satisfies RefreshWork,
    };
  }

  /** Digest ids the parsed manifests of a repository's revisions reference. */
  private referencedIds(read: RepositoryRead): number[] {
    const out: number[] = [];
    for (const rev of read.revisions) {
      const m = this.manifests.get(rev);
      if (m?.ok) for (const id of m.refs) out.push(id);
    }
    return out;
  }

  /** Parses every present revision not parsed yet (content is immutable by digest); forgets the rest. */
  private *readManifests(changed: IdSet): Generator<void, number> {
    const { digests } = this;
    const wanted = this.seen;
    wanted.clear();
    const todo: number[] = [];
    for (const repo of this.repos.values()) {
      for (const id of repo.read.revisions) {
        if (!digests.present(id) || !wanted.add(id)) continue;
        if (!this.manifests.has(id)) todo.push(id);
      }
    }
    for (const id of this.manifests.keys()) if (!wanted.has(id)) this.manifests.delete(id);
    yield;
    for (const [i, id] of todo.entries()) {
      if ((i & 63) === 63) yield;
      changed.add(id);
      if ((digests.size[id] as number) > MAX_MANIFEST_BYTES) {
        this.manifests.set(id, { ok: false, error: 'too large for a manifest' });
        continue;
      }
      const hex = digests.hexes[id] as string;
      const content = readOrNone(this.fs, `${this.layout.blobs}/${hex.slice(0, 2)}/${hex}/data`);
      if (content === undefined) continue;
      const parsed = parseManifest(content);
      if (!parsed.ok) {
        this.manifests.set(id, parsed);
        continue;
      }
      const platforms = parsed.references.some((r) => r.platform !== undefined)
        ? parsed.references.map((r) => r.platform)
        : undefined;
      this.manifests.set(id, {
        ok: true,
        kind: parsed.kind,
        refs: parsed.references.map((r) => digests.id(r.digest)),
        roles: parsed.references.map((r) => r.role),
        platforms,
      });
    }
    return todo.length;
  }

  /**
   * Marks dirty every repository whose marks or links read a digest in `changed` (a blob came or went,
   * a manifest was parsed). When blobs only came, a repository is concerned only through the digests
   * it missed and its revisions (a manifest parsed): a short look at each.
   */
  private dirtyReaching(changed: IdSet, dropped: boolean): void {
    const reaches = (ids: number[]) => {
      for (const id of ids) if (changed.has(id)) return true;
      return false;
    };
    for (const repo of this.repos.values()) {
      if (repo.dirty) continue;
      const r = repo.read;
      if (reaches(repo.missingIds) || reaches(r.revisions)) {
        repo.dirty = true;
        continue;
      }
      if (!dropped) continue;
      if (reaches(r.layerLinks) || r.tags.some((t) => changed.has(t.current) || reaches(t.index))) {
        repo.dirty = true;
        continue;
      }
      for (const rev of r.revisions) {
        const m = this.manifests.get(rev);
        if (m?.ok && reaches(m.refs)) {
          repo.dirty = true;
          break;
        }
      }
    }
  }

  private uncount(repo: Repo): void {
    if (repo.counted) for (const id of repo.marks) (this.markCount[id] as number)--;
    repo.counted = false;
  }

  /**
   * What GC marks from one repository (registry/storage/garbagecollect.go): every revision whose blob
   * exists, and what that manifest references (config and layers; for an index, its platform
   * manifests, whose own config and layers are marked through their own revision links).
   */
  private mark(repo: Repo): void {
    const { digests } = this;
    this.uncount(repo);
    repo.dirty = false;
    repo.scan = undefined;
    repo.summaryStale = true;
    const marks: number[] = [];
    const missingIds: number[] = [];
    const missingReferences: MissingReference[] = [];
    const manifestProblems: Array<{ digest: string; error: string }> = [];
    if (repo.listed) {
      const seen = this.seen;
      seen.clear();
      for (const rev of repo.read.revisions) {
        // GC enumerates a revision only if its blob exists (a dangling link is skipped silently).
        if (!digests.present(rev)) continue;
        if (seen.add(rev)) marks.push(rev);
        const m = this.manifests.get(rev);
        if (!m) continue;
        if (!m.ok) {
          manifestProblems.push({ digest: digests.digest(rev), error: m.error });
          continue;
        }
        for (let i = 0; i < m.refs.length; i++) {
          const id = m.refs[i] as number;
          if (seen.add(id)) marks.push(id);
          if (digests.present(id)) continue;
          missingIds.push(id);
          const platform = m.platforms?.[i];
          missingReferences.push({
            digest: digests.digest(id),
            role: m.roles[i] as ReferenceRole,
            manifest: digests.digest(rev),
            ...(platform ? { platform } : {}),
          });
        }
      }
    }
    repo.marks = marks;
    repo.missingReferences = missingReferences;
    repo.manifestProblems = manifestProblems;
    const r = repo.read;
    const missingLinks: MissingLink[] = [];
    const add = (kind: MissingLink['kind'], id: number, tag?: string) => {
      if (digests.present(id)) return;
      missingIds.push(id);
      missingLinks.push({
        repository: r.name,
        kind,
        digest: digests.digest(id),
        ...(tag ? { tag } : {}),
      });
    };
    for (const id of r.layerLinks) add('layer', id);
    for (const id of r.revisions) add('revision', id);
    for (const t of r.tags) {
      if (t.current >= 0) add('tag-current', t.current, t.name);
      for (const id of t.index) add('tag-index', id, t.name);
    }
    repo.missingLinks = missingLinks;
    repo.missingIds = missingIds;
    if (repo.listed && this.enumerated(repo.read)) {
      if (digests.length > this.markCount.length) {
        const grown = new Int32Array(Math.max(digests.length, this.markCount.length * 2));
        grown.set(this.markCount);
        this.markCount = grown;
      }
      for (const id of marks) (this.markCount[id] as number)++;
      repo.counted = true;
    }
  }

  /** Total and exclusive bytes of every repository: sums over its marks (cheap: no strings). */
  private totals(): void {
    const { size } = this.digests;
    const count = this.markCount;
    for (const repo of this.repos.values()) {
      if (!repo.listed) continue;
      const own = this.enumerated(repo.read) ? 1 : 0;
      let total = 0;
      let exclusive = 0;
      for (const id of repo.marks) {
        const s = size[id] as number;
        if (s < 0) continue;
        total += s;
        // Exclusive: freed by GC once this repository is gone (no other enumerated repository marks it).
        if ((count[id] ?? 0) === own) exclusive += s;
      }
      if (total !== repo.totalBytes || exclusive !== repo.exclusiveBytes) {
        repo.totalBytes = total;
        repo.exclusiveBytes = exclusive;
        repo.scan = undefined;
        repo.summaryStale = true;
      }
    }
  }

  private sorted(): Repo[] {
    return (this.order ??= [...this.repos.values()].sort(byName));
  }

  /** Orphans, missing and unreadable links, uploads and disk usage of the whole store. */
  private cacheWide() {
    const { digests } = this;
    const count = this.markCount;
    let referencedBytes = 0;
    let orphanBytes = 0;
    const orphanIds: number[] = [];
    for (let id = 0; id < digests.length; id++) {
      const s = digests.size[id] as number;
      if (s < 0) continue;
      if ((count[id] ?? 0) > 0) referencedBytes += s;
      else {
        orphanIds.push(id);
        orphanBytes += s;
      }
    }
    const missingLinks: MissingLink[] = [];
    const unreadableLinks: string[] = [];
    const uploads: UploadStats = { count: 0, bytes: 0 };
    const usage = emptyUsage();
    mergeUsage(usage, this.outside);
    mergeUsage(usage, this.tree.usage());
    mergeUsage(usage, this.blobs.usage());
    const rel = `${V2}/repositories`;
    for (const repo of this.sorted()) {
      const r = repo.read;
      for (const link of repo.missingLinks) missingLinks.push(link);
      for (const link of r.unreadableLinks) unreadableLinks.push(`${rel}/${r.name}/${link}`);
      uploads.count += r.uploads.count;
      uploads.bytes += r.uploads.bytes;
      mergeUsage(usage, r.usage);
    }
    orphanIds.sort((a, b) => {
      const x = digests.hexes[a] as string;
      const y = digests.hexes[b] as string;
      return x < y ? -1 : 1;
    });
    return {
      blobCount: this.blobs.count,
      blobBytes: this.blobs.bytes,
      referencedBytes,
      orphans: { count: orphanIds.length, bytes: orphanBytes },
      orphanIds,
      missingLinks,
      unreadableLinks,
      uploads,
      diskBytes: usageBytes(usage),
    };
  }

  /** Renumbers digest ids to drop those nothing refers to any more (blobs gone, links removed). */
  private compact(): void {
    const keep = new Uint8Array(this.digests.length);
    for (let id = 0; id < this.digests.length; id++) if (this.digests.present(id)) keep[id] = 1;
    for (const repo of this.repos.values()) {
      const r = repo.read;
      for (const id of r.revisions) keep[id] = 1;
      for (const id of r.layerLinks) keep[id] = 1;
      for (const t of r.tags) {
        if (t.current >= 0) keep[t.current] = 1;
        for (const id of t.index) keep[id] = 1;
      }
      for (const id of repo.marks) keep[id] = 1;
      for (const id of repo.missingIds) keep[id] = 1;
    }
    for (const [id, m] of this.manifests) {
      keep[id] = 1;
      if (m.ok) for (const ref of m.refs) keep[ref] = 1;
    }
    const map = this.digests.compact((id) => keep[id] === 1);
    const to = (id: number) => map[id] as number;
    for (const repo of this.repos.values()) {
      const r = repo.read;
      r.revisions = r.revisions.map(to);
      r.layerLinks = r.layerLinks.map(to);
      for (const t of r.tags) {
        if (t.current >= 0) t.current = to(t.current);
        t.index = t.index.map(to);
      }
      repo.marks = repo.marks.map(to);
      repo.missingIds = repo.missingIds.map(to);
    }
    const manifests = new Map<number, Manifest>();
    for (const [id, m] of this.manifests) manifests.set(to(id), m.ok ? { ...m, refs: m.refs.map(to) } : m);
    this.manifests = manifests;
    this.blobs.remap(map);
    const count = new Int32Array(Math.max(1024, this.digests.length * 2));
    for (const repo of this.repos.values())
      if (repo.counted) for (const id of repo.marks) (count[id] as number)++;
    this.markCount = count;
  }

  // --- results, made on demand from the model ---

  private get current(): SummaryHead & { orphanIds: number[] } {
    if (!this.state) throw new Error('the store has not been scanned yet');
    return this.state;
  }

  /** What a prune's sweep needs (store-look.ts), straight from the model: no whole result is built. */
  sweepLook(ask: readonly string[]): StoreLook {
    const head = this.current;
    const { digests } = this;
    const marked = ask.filter((d) => {
      const id = digests.find(d);
      return id >= 0 && (this.markCount[id] ?? 0) > 0;
    });
    const asked = new Set(ask);
    const broken = this.sorted().find((r) => r.listed && r.manifestProblems.length > 0);
    const problem = problemOf(
      broken && { repository: broken.read.name, error: broken.manifestProblems[0]!.error },
      head.unreadableLinks[0],
    );
    return {
      blobCount: head.blobCount,
      orphans: head.orphanIds.map((id) => ({ digest: digests.digest(id), size: digests.size[id] as number })),
      marked,
      missingLinks: asked.size ? head.missingLinks.filter((l) => asked.has(l.digest)) : [],
      ...(problem !== undefined ? { problem } : {}),
    };
  }

  /** Everything a summary holds but the repositories. Fresh objects: the caller may keep them. */
  head(): SummaryHead {
    const { orphanIds: _o, ...head } = this.current;
    return {
      ...head,
      orphans: { ...head.orphans },
      missingLinks: head.missingLinks.map((l) => ({ ...l })),
      unreadableLinks: [...head.unreadableLinks],
      uploads: { ...head.uploads },
      work: { ...head.work, repositoriesRead: [...head.work.repositoriesRead] },
    };
  }

  /**
   * Per-repository summaries, sorted by name. An entry is the same object as in the previous call as
   * long as that repository did not change (so a caller can send only what changed): never mutate.
   */
  repositorySummaries(): RepositorySummary[] {
    const out: RepositorySummary[] = [];
    for (const repo of this.sorted()) {
      if (!repo.listed) continue;
      const r = repo.read;
      if (repo.summary && !repo.summaryStale) {
        out.push(repo.summary);
        continue;
      }
      const summary: RepositorySummary = {
        name: repo.name,
        gcEnumerated: this.enumerated(r),
        tags: r.tags.map((t) => t.info),
        revisionCount: r.revisions.length,
        layerLinks: r.layerLinks.length,
        blobCount: repo.marks.length,
        totalBytes: repo.totalBytes,
        exclusiveBytes: repo.exclusiveBytes,
        sharedBytes: repo.totalBytes - repo.exclusiveBytes,
        missingReferenceCount: repo.missingReferences.length,
        manifestProblemCount: repo.manifestProblems.length,
        uploads: r.uploads,
        diskBytes: usageBytes(r.usage),
      };
      // A repository read again is often unchanged (a racy read confirmed): keep the object then.
      if (!repo.summary || !sameSummary(repo.summary, summary)) repo.summary = summary;
      repo.summaryStale = false;
      out.push(repo.summary);
    }
    return out;
  }

  /** Everything the model knows of one repository (digest lists included), or undefined. */
  repository(name: string): RepositoryScan | undefined {
    const repo = this.repos.get(name);
    return repo?.listed ? this.repositoryScan(repo) : undefined;
  }

  private repositoryScan(repo: Repo): RepositoryScan {
    if (repo.scan) return repo.scan;
    const { digests } = this;
    const r = repo.read;
    const name = (id: number) => digests.digest(id);
    const scan: RepositoryScan = {
      name: repo.name,
      gcEnumerated: this.enumerated(r),
      tags: r.tags.map((t) => t.info),
      revisions: r.revisions.map(name),
      layerLinks: r.layerLinks.length,
      blobs: digests.sorted(repo.marks).map(name),
      totalBytes: repo.totalBytes,
      exclusiveBytes: repo.exclusiveBytes,
      sharedBytes: repo.totalBytes - repo.exclusiveBytes,
      missingReferences: repo.missingReferences,
      manifestProblems: repo.manifestProblems,
      uploads: r.uploads,
      diskBytes: usageBytes(r.usage),
    };
    if (this.keepResults) repo.scan = scan;
    return scan;
  }

  /**
   * The full result. Parts that did not change since the previous result (a repository, the blob
   * sizes) are the same objects as there when results are kept: results are read-only.
   */
  result(): ScanResult {
    const gen = this.buildResult();
    for (;;) {
      const step = gen.next();
      if (step.done) return step.value;
    }
  }

  /** `result` as a generator: on a 60,000-blob store it takes tens of ms, so in-process it is sliced too. */
  *buildResult(): Generator<void, ScanResult> {
    const { orphanIds, orphans, ...head } = this.current;
    const { digests } = this;
    let blobSizes = this.blobSizes;
    if (!blobSizes) {
      blobSizes = {};
      let i = 0;
      for (const id of this.blobs.ids()) {
        if ((++i & 2047) === 0) yield;
        blobSizes[digests.digest(id)] = digests.size[id] as number;
      }
      if (this.keepResults) this.blobSizes = blobSizes;
    }
    const repositories: RepositoryScan[] = [];
    for (const repo of this.sorted()) {
      if (!repo.listed) continue;
      if (!repo.scan && (repositories.length & 63) === 63) yield;
      repositories.push(this.repositoryScan(repo));
    }
    return {
      dataDir: head.dataDir,
      scannedAt: head.scannedAt,
      durationMs: head.durationMs,
      repositories,
      blobSizes,
      blobCount: head.blobCount,
      blobBytes: head.blobBytes,
      referencedBytes: head.referencedBytes,
      orphans: { digests: orphanIds.map((id) => digests.digest(id)), bytes: orphans.bytes },
      missingLinks: head.missingLinks,
      unreadableLinks: head.unreadableLinks,
      uploads: head.uploads,
      diskBytes: head.diskBytes,
      work: head.work,
    };
  }
}
