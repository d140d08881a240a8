// The one sentence the CLI and the Prune view give about how a prune collected: served throughout, or
// stopped for the registry's collector and why; a mirror that was stopped stays so.
import { describe, expect, it } from 'vitest';
import { collectionOutcome } from './outcome.js';

const gc = (n: number) => ({ marked: 10, eligibleBlobs: n, eligibleManifests: 0, ms: 5 });

describe('collectionOutcome', () => {
  it('says the mirror kept serving when swept', () => {
    expect(collectionOutcome({ collector: { kind: 'sweep' }, downtimeMs: 0, gc: gc(3), mode: 'proxy' })).toBe(
      'The mirror kept serving throughout; 3 blobs deleted.',
    );
    expect(collectionOutcome({ collector: { kind: 'sweep' }, downtimeMs: 0, gc: gc(1) })).toBe(
      '1 blob deleted; the mirror stays stopped, as it was.',
    );
  });

  it("says how long the registry's collector kept it down, and why it ran", () => {
    const reason = 'the running mirror was created by an older version, which caches blob descriptors';
    expect(
      collectionOutcome({ collector: { kind: 'gc', reason }, downtimeMs: 2140, gc: gc(9), mode: 'offline' }),
    ).toBe(
      `The mirror stopped for 2.1 s while the registry's garbage collection deleted 9 blobs (${reason}).`,
    );
    expect(collectionOutcome({ collector: { kind: 'gc' }, downtimeMs: 0, gc: gc(0) })).toBe(
      "The registry's garbage collection deleted 0 blobs; the mirror stays stopped, as it was.",
    );
  });
});
