import { describe, expect, it } from 'vitest';
import { MEDIA_TYPES, parseManifest } from './manifest.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;

describe('parseManifest', () => {
  it('reads a Docker schema2 manifest and an OCI manifest: config first, then layers', () => {
    for (const mediaType of [MEDIA_TYPES.dockerManifest, MEDIA_TYPES.ociManifest]) {
      const m = parseManifest(
        JSON.stringify({
          schemaVersion: 2,
          mediaType,
          config: { digest: d('c') },
          layers: [{ digest: d('1') }, { digest: d('2') }],
        }),
      );
      expect(m).toEqual({
        ok: true,
        kind: 'image',
        mediaType,
        references: [
          { digest: d('c'), role: 'config' },
          { digest: d('1'), role: 'layer' },
          { digest: d('2'), role: 'layer' },
        ],
      });
    }
  });

  it('reads manifest lists and OCI indexes with platforms', () => {
    for (const mediaType of [MEDIA_TYPES.dockerList, MEDIA_TYPES.ociIndex]) {
      const m = parseManifest(
        JSON.stringify({
          schemaVersion: 2,
          mediaType,
          manifests: [
            { digest: d('a'), platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
            { digest: d('b') },
          ],
        }),
      );
      expect(m).toEqual({
        ok: true,
        kind: 'index',
        mediaType,
        references: [
          { digest: d('a'), role: 'manifest', platform: 'linux/arm/v7' },
          { digest: d('b'), role: 'manifest' },
        ],
      });
    }
  });

  it('tells OCI content without mediaType apart by its manifests array, as the registry does', () => {
    expect(parseManifest(JSON.stringify({ schemaVersion: 2, manifests: [] }))).toMatchObject({
      ok: true,
      kind: 'index',
      references: [],
    });
    expect(
      parseManifest(JSON.stringify({ schemaVersion: 2, config: { digest: d('c') }, layers: [] })),
    ).toMatchObject({
      ok: true,
      kind: 'image',
      mediaType: MEDIA_TYPES.ociManifest,
    });
  });

  it('reads schema1 fsLayers as layers', () => {
    const m = parseManifest(
      JSON.stringify({
        schemaVersion: 1,
        fsLayers: [{ blobSum: d('1') }, { blobSum: d('2') }],
        signatures: [{}],
      }),
    );
    expect(m).toMatchObject({
      ok: true,
      kind: 'schema1',
      references: [
        { digest: d('1'), role: 'layer' },
        { digest: d('2'), role: 'layer' },
      ],
    });
  });

  it('reports what it cannot read instead of throwing, and drops malformed digests', () => {
    expect(parseManifest(Buffer.from([0xff, 0x00]))).toEqual({ ok: false, error: 'not JSON' });
    expect(parseManifest('[]')).toEqual({ ok: false, error: 'not an object' });
    expect(parseManifest('{"schemaVersion":3}')).toEqual({
      ok: false,
      error: 'unrecognized schema version 3',
    });
    expect(parseManifest(JSON.stringify({ schemaVersion: 2, mediaType: 'text/plain' }))).toMatchObject({
      ok: false,
    });
    const m = parseManifest(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.dockerManifest,
        config: { digest: 'md5:x' },
        layers: [null, { digest: d('1') }],
      }),
    );
    expect(m).toMatchObject({ ok: true, references: [{ digest: d('1'), role: 'layer' }] });
  });
});
