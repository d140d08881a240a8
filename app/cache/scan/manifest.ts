// What a stored manifest references, read the way the 2.8 registry's manifest store reads it
// (registry/storage/manifeststore.go Get, then Manifest.References()): the garbage collector
// marks exactly these digests for every manifest revision of a repository.
import { DIGEST } from './layout.js';

export const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  schema1: 'application/vnd.docker.distribution.manifest.v1+json',
  schema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** The registry refuses larger manifests; anything bigger is not read (it is a layer, not a manifest). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export type ManifestKind = 'image' | 'index' | 'schema1';
export type ReferenceRole = 'config' | 'layer' | 'manifest';

export interface Reference {
  digest: string;
  role: ReferenceRole;
  /** `os/architecture[/variant]` of an index entry, when given. */
  platform?: string;
}

export type ParsedManifest =
  { ok: true; kind: ManifestKind; mediaType: string; references: Reference[] } | { ok: false; error: string };

interface Descriptor {
  digest?: unknown;
  platform?: { os?: unknown; architecture?: unknown; variant?: unknown };
}

function descriptors(value: unknown): Descriptor[] {
  return Array.isArray(value)
    ? (value.filter((d) => typeof d === 'object' && d !== null) as Descriptor[])
    : [];
}

function reference(d: Descriptor, role: ReferenceRole): Reference[] {
  if (typeof d.digest !== 'string' || !DIGEST.test(d.digest)) return [];
  const p = d.platform;
  if (role === 'manifest' && p && typeof p.os === 'string' && typeof p.architecture === 'string') {
    const variant = typeof p.variant === 'string' && p.variant ? `/${p.variant}` : '';
    return [{ digest: d.digest, role, platform: `${p.os}/${p.architecture}${variant}` }];
  }
  return [{ digest: d.digest, role }];
}

function image(json: Record<string, unknown>, mediaType: string): ParsedManifest {
  const config = typeof json.config === 'object' && json.config !== null ? [json.config as Descriptor] : [];
  return {
    ok: true,
    kind: 'image',
    mediaType,
    references: [
      ...config.flatMap((d) => reference(d, 'config')),
      ...descriptors(json.layers).flatMap((d) => reference(d, 'layer')),
    ],
  };
}

function index(json: Record<string, unknown>, mediaType: string): ParsedManifest {
  return {
    ok: true,
    kind: 'index',
    mediaType,
    references: descriptors(json.manifests).flatMap((d) => reference(d, 'manifest')),
  };
}

/** Parses manifest bytes; never throws (a broken manifest is reported, not fatal). */
export function parseManifest(content: Buffer | string): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(content.toString());
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return { ok: false, error: 'not an object' };
  const m = json as Record<string, unknown>;
  const mediaType = typeof m.mediaType === 'string' ? m.mediaType : '';
  if (m.schemaVersion === 1) {
    // Signed schema1: the layers are the fsLayers' blobSums (no config blob).
    const layers = descriptors(m.fsLayers).flatMap((l) =>
      reference({ digest: (l as { blobSum?: unknown }).blobSum }, 'layer'),
    );
    return {
      ok: true,
      kind: 'schema1',
      mediaType: mediaType || MEDIA_TYPES.schema1Signed,
      references: layers,
    };
  }
  if (m.schemaVersion !== 2)
    return { ok: false, error: `unrecognized schema version ${String(m.schemaVersion)}` };
  switch (mediaType) {
    case MEDIA_TYPES.dockerManifest:
    case MEDIA_TYPES.ociManifest:
      return image(m, mediaType);
    case MEDIA_TYPES.dockerList:
    case MEDIA_TYPES.ociIndex:
      return index(m, mediaType);
    case '':
      // OCI content may omit mediaType: a `manifests` array makes it an index, as in the registry.
      return Array.isArray(m.manifests) ? index(m, MEDIA_TYPES.ociIndex) : image(m, MEDIA_TYPES.ociManifest);
    default:
      return { ok: false, error: `unrecognized manifest media type ${mediaType}` };
  }
}
