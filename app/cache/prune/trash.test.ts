// Moving a selection aside and back never fails because something is in the way, and a rollback never
// replaces what was written since nor restores a link to a blob that is gone.
import { mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../testbed/helpers.js';
import { moveInto, restoreInto } from './trash.js';

const REPO = 'docker/registry/v2/repositories/library/app';
const hex = (c: string) => c.repeat(64);

function write(root: string, rel: string, text: string) {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}
const read = (root: string, rel: string) => readFileSync(join(root, rel), 'utf8');
const blob = (root: string, c: string) =>
  write(root, `docker/registry/v2/blobs/sha256/${c}${c}/${hex(c)}/data`, c);

describe('trash', () => {
  it('moves a directory aside onto one an earlier attempt moved there (the rename alone: ENOTEMPTY)', async () => {
    const store = tempDir('drpc-trash-store-');
    const trash = tempDir('drpc-trash-');
    write(trash, `${REPO}/_manifests/tags/old/current/link`, `sha256:${hex('a')}`);
    write(store, `${REPO}/_manifests/tags/new/current/link`, `sha256:${hex('b')}`);
    write(store, `${REPO}/_manifests/tags/old/current/link`, `sha256:${hex('c')}`);
    await moveInto(join(store, REPO, '_manifests'), join(trash, REPO, '_manifests'));
    expect(existsSync(join(store, REPO, '_manifests'))).toBe(false);
    expect(read(trash, `${REPO}/_manifests/tags/new/current/link`)).toBe(`sha256:${hex('b')}`);
    expect(read(trash, `${REPO}/_manifests/tags/old/current/link`)).toBe(`sha256:${hex('c')}`);
    // Nothing there to move: nothing happens.
    await moveInto(join(store, REPO, '_layers'), join(trash, REPO, '_layers'));
  });

  it('rolls back around what was written since and leaves links to blobs that are gone', async () => {
    const store = tempDir('drpc-trash-store-');
    const trash = tempDir('drpc-trash-');
    blob(store, 'a');
    blob(store, 'b');
    // In the trash: two tags, two layer links (the blob of one was deleted since: a reset, a collection).
    write(trash, `${REPO}/_manifests/tags/v1/current/link`, `sha256:${hex('a')}`);
    write(trash, `${REPO}/_manifests/tags/v2/current/link`, `sha256:${hex('a')}`);
    write(trash, `${REPO}/_layers/sha256/${hex('b')}/link`, `sha256:${hex('b')}`);
    write(trash, `${REPO}/_layers/sha256/${hex('d')}/link`, `sha256:${hex('d')}`);
    write(trash, `${REPO}/_uploads/u1/startedat`, '2026-01-01');
    // Written since (a re-pull of v2 that now points elsewhere): stays as it is.
    write(store, `${REPO}/_manifests/tags/v2/current/link`, `sha256:${hex('b')}`);

    expect(await restoreInto(trash, store)).toEqual({ restored: 3, skipped: 2 });
    expect(read(store, `${REPO}/_manifests/tags/v1/current/link`)).toBe(`sha256:${hex('a')}`);
    expect(read(store, `${REPO}/_manifests/tags/v2/current/link`)).toBe(`sha256:${hex('b')}`);
    expect(read(store, `${REPO}/_layers/sha256/${hex('b')}/link`)).toBe(`sha256:${hex('b')}`);
    expect(existsSync(join(store, REPO, '_layers/sha256', hex('d')))).toBe(false);
    expect(read(store, `${REPO}/_uploads/u1/startedat`)).toBe('2026-01-01');
    // An empty or missing trash restores nothing.
    expect(await restoreInto(join(trash, 'nothing'), store)).toEqual({ restored: 0, skipped: 0 });
  });
});
