import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../testbed/helpers.js';
import { StoreBuilder } from '../scan/test-store.js';
import { repairLinks } from './links.js';
import { repairSchedulerState } from './scheduler-state.js';

describe('repair', () => {
  it('moves a truncated scheduler-state.json aside and leaves a valid one alone', async () => {
    const dir = tempDir();
    expect(await repairSchedulerState(dir)).toEqual({ state: 'absent' });
    writeFileSync(join(dir, 'scheduler-state.json'), '{"library/busybox@sha256:ab":{"Key":"library/bus');
    const r = await repairSchedulerState(dir, new Date('2026-11-29T10:00:00Z'));
    expect(r.state).toBe('moved-aside');
    expect(existsSync(join(dir, 'scheduler-state.json'))).toBe(false);
    expect(readFileSync(r.movedTo!, 'utf8')).toMatch(/^\{"library/);
    writeFileSync(join(dir, 'scheduler-state.json'), '{}');
    expect(await repairSchedulerState(dir)).toEqual({ state: 'ok' });
  });

  it('links layers a repository needs but never linked, where the blob is in the store', async () => {
    const dir = tempDir();
    const s = new StoreBuilder(dir);
    const one = s.image('library/one', 'latest', ['base', 'one']);
    // two was pulled while the engine had the base layer: the proxy never linked it under two.
    const two = s.image('library/two', 'latest', ['base', 'two']);
    const baseLink = join(s.repoDir('library/two'), '_layers/sha256', one.layers[0]!.slice(7));
    rmSync(baseLink, { recursive: true });
    // three references a layer the store does not hold at all.
    const three = s.image('library/three', 'latest', ['three-a', 'three-b']);
    rmSync(s.blobPath(three.layers[1]!));

    expect(await repairLinks(dir, { dryRun: true })).toEqual([
      { repository: 'library/three', digest: three.layers[1], kind: 'layer', action: 'blob-missing' },
      { repository: 'library/two', digest: one.layers[0], kind: 'layer', action: 'linked' },
    ]);
    expect(existsSync(baseLink)).toBe(false);
    const done = await repairLinks(dir);
    expect(done.filter((r) => r.action === 'linked')).toHaveLength(1);
    expect(two.layers[0]).toBe(one.layers[0]);
    expect(readFileSync(join(baseLink, 'link'), 'utf8')).toBe(one.layers[0]);
    // Idempotent: the second run links nothing more.
    expect((await repairLinks(dir)).filter((r) => r.action === 'linked')).toEqual([]);
  });
});
