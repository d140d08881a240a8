// The scanner's result: plain JSON-able data (arrays and records, no Map/Set) so it can cross a
// worker boundary or IPC unchanged.
import type { ReferenceRole } from './manifest.js';

export interface TagInfo {
  name: string;
  /** Digest in `_manifests/tags/<tag>/current/link`; null when that link is missing or unreadable. */
  currentDigest: string | null;
  /** mtime (ms) of `current/link`: rewritten on every pull by tag, so the best marker of the last pull. 0 if absent. */
  linkMtime: number;
}

export interface UploadStats {
  /** Upload sessions: directories under `_uploads`. */
  count: number;
  /** Apparent size of the files under `_uploads`. */
  bytes: number;
}

/** A digest a manifest references that the blob store does not hold (e.g. a platform never pulled). */
export interface MissingReference {
  digest: string;
  role: ReferenceRole;
  /** The manifest revision that references it. */
  manifest: string;
  platform?: string;
}

export interface RepositoryScan {
  /** Repository name, possibly nested: `library/busybox`, `a/b/c`. */
  name: string;
  /**
   * Whether the 2.8 garbage collector enumerates this repository: it does only when the repository has
   * a `_layers` directory. A repository with manifests only (a pull whose layers the engine already had)
   * protects nothing: GC deletes its manifests.
   */
  gcEnumerated: boolean;
  tags: TagInfo[];
  /** Manifest digests linked under `_manifests/revisions` (the link content, as GC reads it), sorted. */
  revisions: string[];
  /** Number of `_layers` links. */
  layerLinks: number;
  /**
   * Digests GC marks from this repository, sorted: every revision whose blob exists plus what it
   * references (config and layers; for an index or manifest list, its platform manifests, whose own
   * config and layers are marked through their own revision links).
   */
  blobs: string[];
  /** Bytes of the present blobs in `blobs`. */
  totalBytes: number;
  /**
   * Bytes of present blobs that would be unreferenced if this repository were removed: marked through
   * no other GC-enumerated repository. Equals `planRepositoryRemoval(scan, [name]).bytes`.
   */
  exclusiveBytes: number;
  /** totalBytes - exclusiveBytes. */
  sharedBytes: number;
  missingReferences: MissingReference[];
  /** Revisions whose blob could not be read as a manifest (GC 2.8 would stop on these). */
  manifestProblems: Array<{ digest: string; error: string }>;
  uploads: UploadStats;
  /** `du -sb` of this repository's own entries (its `_*` directories and the directory itself). */
  diskBytes: number;
}

export type LinkKind = 'layer' | 'revision' | 'tag-current' | 'tag-index';

export interface MissingLink {
  repository: string;
  kind: LinkKind;
  digest: string;
  tag?: string;
}

/** What a refresh actually had to read: shows that an incremental refresh stayed incremental. */
export interface RefreshWork {
  /** Repositories whose links were re-read (fingerprint changed or first seen). */
  repositoriesRead: string[];
  /** Blob prefix directories (`blobs/sha256/<2 hex>`) listed. */
  blobPrefixesListed: number;
  /** Blobs stat'ed for the first time. */
  blobsStatted: number;
  /** Manifest blobs read and parsed. */
  manifestsRead: number;
}

export interface ScanResult {
  dataDir: string;
  /** Epoch ms when the scan started. */
  scannedAt: number;
  durationMs: number;
  /** Sorted by name. */
  repositories: RepositoryScan[];
  /** Every blob in the blob store: digest to size of its `data` file. */
  blobSizes: Record<string, number>;
  blobCount: number;
  /** Deduplicated total: sum of all blob sizes, each digest once. */
  blobBytes: number;
  /** Bytes of present blobs that GC marks. */
  referencedBytes: number;
  /** Blobs GC would delete now: present, marked by no GC-enumerated repository. */
  orphans: { digests: string[]; bytes: number };
  /** Links (layer, revision, tag) whose blob is missing from the blob store. */
  missingLinks: MissingLink[];
  /** Link files whose content is not a digest (paths relative to the data dir). */
  unreadableLinks: string[];
  uploads: UploadStats;
  /** The whole data dir as `du -sb` counts it. */
  diskBytes: number;
  work: RefreshWork;
}

export interface RemovalPlan {
  /** The named repositories that exist in the scan. */
  repositories: string[];
  /** Names not found in the scan. */
  unknown: string[];
  /** Present blobs reached by the named repositories that no remaining GC-enumerated repository marks. */
  digests: string[];
  bytes: number;
  /** Everything the next GC would delete after the removal: these plus the blobs already orphaned. */
  gcDigestCount: number;
  gcBytes: number;
}
