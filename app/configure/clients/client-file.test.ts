// The user's own buildkitd.toml and registries.conf on disk: apply, verify and undo, with the undo
// records in a settings store as the CLI keeps them.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../testbed/helpers.js';
import { runs } from '../../../testbed/property.js';
import { jsonFileStore } from '../../settings/json-file.js';
import {
  applyClientFile,
  previewClientFile,
  undoClientFile,
  verifyClientFile,
  type EditedClient,
} from './client-file.js';
import { comment, layout } from './toml-gen.js';
import { ClientUndoStore } from './undo-records.js';

const HUB = [{ registry: 'docker.io', mirrorUrl: 'http://localhost:5000' }];
const store = () => new ClientUndoStore(jsonFileStore(join(tempDir('drpc-clients-home-'), 'settings.json')));

describe('a client file on disk', () => {
  it('preview writes nothing; apply writes atomically keeping the mode; verify reads it back; undo restores the bytes', async () => {
    const dir = tempDir('drpc-buildkit-');
    const path = join(dir, 'buildkitd.toml');
    const original = '# my builder\r\ndebug = true\r\n';
    writeFileSync(path, original);
    chmodSync(path, 0o600);
    const undo = store();
    const p = await previewClientFile('buildkit', path, HUB);
    expect(p).toMatchObject({ exists: true, changed: true });
    expect(p.text).toContain('mirrors = ["localhost:5000"]');
    expect(readFileSync(path, 'utf8')).toBe(original);
    expect(await verifyClientFile('buildkit', path, HUB)).toMatchObject({ ok: false });

    expect(await applyClientFile('buildkit', path, HUB, undo)).toMatchObject({
      changed: true,
      created: false,
    });
    expect(readFileSync(path, 'utf8')).toBe(p.text);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await verifyClientFile('buildkit', path, HUB)).toEqual({ path, ok: true, missing: [] });
    // Again: nothing to do, no second record.
    expect(await applyClientFile('buildkit', path, HUB, undo)).toMatchObject({ changed: false });
    expect(await undo.records(`buildkit:${path}`)).toHaveLength(1);

    expect(await undoClientFile('buildkit', path, undo)).toEqual([{ path, action: 'restored' }]);
    expect(readFileSync(path, 'utf8')).toBe(original);
    expect(await undo.all()).toEqual({});
    await expect(undoClientFile('buildkit', path, undo)).rejects.toThrow(/nothing to undo/);
  });

  it('creates a missing file (and its directory), and undo deletes it again', async () => {
    const path = join(tempDir('drpc-podman-'), 'containers', 'registries.conf');
    const undo = store();
    expect(await applyClientFile('podman', path, HUB, undo)).toMatchObject({ changed: true, created: true });
    expect(readFileSync(path, 'utf8')).toContain(
      '[[registry.mirror]]\nlocation = "localhost:5000"\ninsecure = true\n',
    );
    expect(await undoClientFile('podman', path, undo)).toEqual([{ path, action: 'deleted' }]);
    expect(existsSync(path)).toBe(false);
  });

  it('after the user edited the file, undo takes out only our entries and keeps their edit', async () => {
    const path = join(tempDir('drpc-podman-'), 'registries.conf');
    writeFileSync(path, 'short-name-mode = "enforcing"\n');
    const undo = store();
    await applyClientFile('podman', path, HUB, undo);
    writeFileSync(
      path,
      `${readFileSync(path, 'utf8')}\n# added by me later\n[aliases]\n"app" = "docker.io/library/app"\n`,
    );
    expect(await undoClientFile('podman', path, undo)).toEqual([{ path, action: 'removed-entries' }]);
    expect(readFileSync(path, 'utf8')).toBe(
      'short-name-mode = "enforcing"\n\n# added by me later\n[aliases]\n"app" = "docker.io/library/app"\n',
    );
  });

  it('refuses bad input, a broken file and a symlink in words, and leaves everything as it was', async () => {
    const dir = tempDir('drpc-buildkit-');
    const path = join(dir, 'buildkitd.toml');
    const undo = store();
    await expect(
      applyClientFile(
        'buildkit',
        path,
        [{ registry: 'Docker.IO/x', mirrorUrl: 'http://localhost:5000' }],
        undo,
      ),
    ).rejects.toThrow(/"Docker\.IO\/x" is not a registry host name/);
    await expect(
      applyClientFile('buildkit', path, [{ registry: 'docker.io', mirrorUrl: 'ftp://localhost' }], undo),
    ).rejects.toThrow(/must be an http or https URL/);
    expect(existsSync(path)).toBe(false);
    writeFileSync(path, '[registry."docker.io"]\nmirrors = [\n');
    await expect(applyClientFile('buildkit', path, HUB, undo)).rejects.toThrow(
      /is not valid TOML \(line \d+, column \d+\)/,
    );
    expect(readFileSync(path, 'utf8')).toBe('[registry."docker.io"]\nmirrors = [\n');
    const link = join(dir, 'link.toml');
    symlinkSync(path, link);
    await expect(applyClientFile('buildkit', link, HUB, undo)).rejects.toThrow(/symbolic link/);
    expect(await undo.all()).toEqual({});
  });

  it('property: any valid file comes back byte for byte after apply and undo, and an invalid one is never touched', async () => {
    const file = fc.record({
      client: fc.constantFrom<EditedClient>('buildkit', 'podman'),
      lines: fc.array(
        fc.oneof(
          comment,
          fc.constantFrom(
            '',
            'debug = true',
            '[other]',
            '[[registry]]\nprefix = "quay.io"',
            'x = [1, 2] # two',
          ),
        ),
        {
          maxLength: 5,
        },
      ),
      broken: fc.boolean(),
      layout,
    });
    await fc.assert(
      fc.asyncProperty(file, async ({ client, lines, broken, layout: { eol, finalEol } }) => {
        // Only the first [other] and one x key: a valid file unless `broken` adds an unclosed table.
        const seen = new Set<string>();
        const kept = lines.filter((l) => l.startsWith('#') || l === '' || (!seen.has(l) && seen.add(l)));
        let text = kept.join(eol) + (finalEol && kept.length ? eol : '');
        if (broken) text += `${eol}[oops${eol}`;
        const dir = tempDir('drpc-prop-');
        mkdirSync(dir, { recursive: true });
        const path = join(dir, 'file.toml');
        writeFileSync(path, text);
        const undo = store();
        try {
          await applyClientFile(client, path, HUB, undo);
        } catch (err) {
          expect(String(err)).toMatch(/left as it is/);
          expect(readFileSync(path, 'utf8')).toBe(text);
          expect(await undo.all()).toEqual({});
          return;
        }
        expect(broken).toBe(false);
        expect(await verifyClientFile(client, path, HUB)).toMatchObject({ ok: true });
        await undoClientFile(client, path, undo);
        expect(readFileSync(path, 'utf8')).toBe(text);
      }),
      runs(40),
    );
  });
});
