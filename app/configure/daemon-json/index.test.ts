import fc from 'fast-check';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runs } from '../../../testbed/property.js';
import {
  configureDaemonJson,
  daemonJsonPaths,
  daemonJsonStatus,
  isDaemonJsonUndo,
  sameMirror,
  undoDaemonJson,
  type CommandRunner,
  type DaemonJsonError,
  type DaemonJsonUndo,
} from './index.js';

const MIRROR = 'http://127.0.0.1:5000';
const KEY = 'registry-mirrors';
const NO_VALIDATE = { validate: false } as const;
const DESKTOP_DEFAULT = `{
  "builder": {
    "gc": {
      "defaultKeepStorage": "20GB",
      "enabled": true
    }
  },
  "experimental": false
}
`;

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drpc-dj-index-'));
  path = join(dir, 'daemon.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const listing = async () => (await readdir(dir)).sort();
async function failure(p: Promise<unknown>): Promise<DaemonJsonError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toMatchObject({ name: 'DaemonJsonError' });
  return err as DaemonJsonError;
}
/** Runs `act`, expects it to fail with `code`, and checks the directory is byte-for-byte as before. */
async function expectUntouched(act: () => Promise<unknown>, code: string): Promise<DaemonJsonError> {
  const before = await listing();
  const bytes = await readFile(path).catch(() => null);
  const mode = await stat(path).then(
    (s) => s.mode,
    () => null,
  );
  const err = await failure(act());
  expect(err.code).toBe(code);
  expect(await listing()).toEqual(before);
  const now = await readFile(path).catch(() => null);
  expect(now === null ? null : now.equals(bytes!)).toBe(bytes === null ? null : true);
  expect(
    await stat(path).then(
      (s) => s.mode,
      () => null,
    ),
  ).toBe(mode);
  return err;
}

describe('configureDaemonJson', () => {
  it('creates a missing file, and undo deletes it again', async () => {
    const result = await configureDaemonJson(path, MIRROR, NO_VALIDATE);
    expect(result).toMatchObject({
      changed: true,
      created: true,
      backupPath: null,
      mirrors: [MIRROR],
      validated: 'skipped',
    });
    expect(await readFile(path, 'utf8')).toBe(`{\n  "registry-mirrors": [\n    "${MIRROR}"\n  ]\n}\n`);
    expect((await stat(path)).mode & 0o777).toBe(0o644);
    expect(result.undo).toMatchObject({ version: 1, path, mirror: MIRROR, before: null });
    expect(await undoDaemonJson(result.undo!)).toEqual({ path, action: 'deleted', validated: 'skipped' });
    expect(await listing()).toEqual([]);
  });

  it('edits an existing file minimally, keeps its mode, backs it up, and undo restores the exact bytes', async () => {
    await writeFile(path, DESKTOP_DEFAULT, { mode: 0o600 });
    const result = await configureDaemonJson(path, `${MIRROR}/`, NO_VALIDATE);
    expect(await readFile(path, 'utf8')).toBe(
      DESKTOP_DEFAULT.replace(
        '"experimental": false\n',
        `"experimental": false,\n  "registry-mirrors": [\n    "${MIRROR}"\n  ]\n`,
      ),
    );
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(result.backupPath).toBe(`${path}.drpc-backup`);
    expect(await readFile(result.backupPath!, 'utf8')).toBe(DESKTOP_DEFAULT);
    expect(Buffer.from(result.undo!.before!, 'base64').toString()).toBe(DESKTOP_DEFAULT);

    const stored = JSON.parse(JSON.stringify(result.undo)) as unknown; // as the app's settings would keep it
    expect(isDaemonJsonUndo(stored)).toBe(true);
    expect(await undoDaemonJson(stored as DaemonJsonUndo)).toMatchObject({ action: 'restored' });
    expect(await readFile(path, 'utf8')).toBe(DESKTOP_DEFAULT);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await listing()).toEqual(['daemon.json']); // the now redundant backup is gone too
  });

  it('is idempotent: a second run (or an equivalent URL) writes nothing at all', async () => {
    await writeFile(path, DESKTOP_DEFAULT);
    await configureDaemonJson(path, MIRROR, NO_VALIDATE);
    const first = await stat(path);
    const bytes = await readFile(path);
    for (const again of [MIRROR, 'HTTP://127.0.0.1:5000/', 'http://127.0.0.1:5000//']) {
      const result = await configureDaemonJson(path, again, NO_VALIDATE);
      expect(result).toMatchObject({ changed: false, undo: null, backupPath: null, validated: 'skipped' });
    }
    const second = await stat(path);
    expect([second.ino, second.mtimeMs]).toEqual([first.ino, first.mtimeMs]);
    expect((await readFile(path)).equals(bytes)).toBe(true);
  });

  it('keeps a BOM, tabs and a missing final newline', async () => {
    await writeFile(path, '\uFEFF{\n\t"dns": ["10.0.0.2"],\n\t"registry-mirrors": ["https://m.example"]\n}');
    await configureDaemonJson(path, MIRROR, NO_VALIDATE);
    expect(await readFile(path, 'utf8')).toBe(
      `\uFEFF{\n\t"dns": ["10.0.0.2"],\n\t"registry-mirrors": ["https://m.example", "${MIRROR}"]\n}`,
    );
  });

  it('refuses invalid JSON with line and column, leaving the file byte-for-byte untouched', async () => {
    await writeFile(path, '{\n  "debug": true,\n  "registry-mirrors": [\n    "https://m.example",\n  ]\n}\n');
    const err = await expectUntouched(() => configureDaemonJson(path, MIRROR, NO_VALIDATE), 'INVALID_JSON');
    expect([err.line, err.column]).toEqual([5, 3]);
    expect(err.message).toContain(path);
    expect(err.message).toContain('line 5, column 3');
  });

  it.each([
    ['[]', 'NOT_AN_OBJECT'],
    ['{"registry-mirrors": "http://x"}', 'BAD_MIRRORS'],
    ['{"registry-mirrors": ["http://x", null]}', 'BAD_MIRRORS'],
  ])('refuses %s with %s', async (text, code) => {
    await writeFile(path, text);
    await expectUntouched(() => configureDaemonJson(path, MIRROR, NO_VALIDATE), code);
  });

  it('refuses non-UTF-8 bytes, a directory, a missing directory and a bad mirror URL', async () => {
    await writeFile(path, Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]));
    await expectUntouched(() => configureDaemonJson(path, MIRROR, NO_VALIDATE), 'INVALID_JSON');
    await expectUntouched(() => configureDaemonJson(path, 'ftp://x', NO_VALIDATE), 'BAD_MIRROR_URL');
    await rm(path);
    await mkdir(path);
    await expectUntouched(() => configureDaemonJson(path, MIRROR, NO_VALIDATE), 'NOT_A_FILE');
    const nowhere = join(dir, 'orbstack', 'config', 'docker.json');
    expect((await failure(configureDaemonJson(nowhere, MIRROR, NO_VALIDATE))).code).toBe('MISSING_DIRECTORY');
  });

  it('refuses a read-only file (no write bit, even as root), unless there is nothing to change', async () => {
    await writeFile(path, DESKTOP_DEFAULT);
    await chmod(path, 0o444);
    await expectUntouched(() => configureDaemonJson(path, MIRROR, NO_VALIDATE), 'READ_ONLY');
    await writeFile(path, `{"registry-mirrors": ["${MIRROR}"]}`); // root may; a user could not
    await chmod(path, 0o444);
    expect(await configureDaemonJson(path, MIRROR, NO_VALIDATE)).toMatchObject({ changed: false });
  });

  it('refuses a symlink and touches neither the link nor its target', async () => {
    const target = join(dir, 'real.json');
    await writeFile(target, DESKTOP_DEFAULT);
    await symlink(target, path);
    const err = await failure(configureDaemonJson(path, MIRROR, NO_VALIDATE));
    expect(err.code).toBe('SYMLINK');
    expect(err.message).toContain(target);
    expect(await readFile(target, 'utf8')).toBe(DESKTOP_DEFAULT);
    expect(await listing()).toEqual(['daemon.json', 'real.json']);
  });
});

describe('configureDaemonJson with dockerd validation', () => {
  it('writes nothing when dockerd rejects the candidate, which it saw in full', async () => {
    await writeFile(path, DESKTOP_DEFAULT);
    const seen: string[] = [];
    const runner: CommandRunner = async (_file, args) => {
      seen.push(await readFile(args[2]!, 'utf8'));
      return {
        code: 1,
        stdout: '',
        stderr: 'the following directives are specified both as a flag and in the configuration file',
      };
    };
    const err = await expectUntouched(
      () => configureDaemonJson(path, MIRROR, { validate: { runner } }),
      'VALIDATION_FAILED',
    );
    expect(err.message).toContain('both as a flag');
    expect(seen).toHaveLength(1);
    expect(JSON.parse(seen[0]!)).toMatchObject({ experimental: false, [KEY]: [MIRROR] });
  });

  it('reports ok or unavailable from the validator', async () => {
    const ok: CommandRunner = async () => ({ code: 0, stdout: 'configuration OK', stderr: '' });
    expect((await configureDaemonJson(path, MIRROR, { validate: { runner: ok } })).validated).toBe('ok');
    await rm(path);
    // By default the dockerd installed here is asked; 20.10 has no --validate.
    expect(['ok', 'unavailable']).toContain((await configureDaemonJson(path, MIRROR)).validated);
  });

  it('refuses to overwrite a file changed during the edit (CONFLICT)', async () => {
    await writeFile(path, DESKTOP_DEFAULT);
    const meddler: CommandRunner = async () => {
      await writeFile(path, '{"someone": "else"}\n');
      return { code: 0, stdout: '', stderr: '' };
    };
    expect((await failure(configureDaemonJson(path, MIRROR, { validate: { runner: meddler } }))).code).toBe(
      'CONFLICT',
    );
    expect(await readFile(path, 'utf8')).toBe('{"someone": "else"}\n');
    expect((await listing()).filter((n) => n.includes('tmp'))).toEqual([]);
  });
});

describe('undoDaemonJson after the file changed', () => {
  it('removes only our entry, keeps the other edits, and backs up the edited version', async () => {
    await writeFile(path, '{\n  "debug": true\n}\n');
    const { undo } = await configureDaemonJson(path, MIRROR, NO_VALIDATE);
    const edited = `{\n  "debug": true,\n  "registry-mirrors": [\n    "https://other.example",\n    "${MIRROR}"\n  ],\n  "ipv6": false\n}\n`;
    await writeFile(path, edited);
    expect(await undoDaemonJson(undo!, NO_VALIDATE)).toMatchObject({ action: 'removed-entry' });
    expect(await readFile(path, 'utf8')).toBe(
      '{\n  "debug": true,\n  "registry-mirrors": [\n    "https://other.example"\n  ],\n  "ipv6": false\n}\n',
    );
    expect(await readFile(`${path}.drpc-backup`, 'utf8')).toBe(edited);
  });

  it('drops the key it created once empty, but keeps a key that was there before', async () => {
    await writeFile(path, '{"a": 1}');
    const created = (await configureDaemonJson(path, MIRROR, NO_VALIDATE)).undo!;
    await writeFile(path, `{"a": 2, "registry-mirrors": ["${MIRROR}"]}`);
    await undoDaemonJson(created, NO_VALIDATE);
    expect(await readFile(path, 'utf8')).toBe('{"a": 2}');

    await writeFile(path, '{"a": 1, "registry-mirrors": []}');
    const kept = (await configureDaemonJson(path, MIRROR, NO_VALIDATE)).undo!;
    await writeFile(path, `{"a": 2, "registry-mirrors": ["${MIRROR}"]}`);
    await undoDaemonJson(kept, NO_VALIDATE);
    expect(await readFile(path, 'utf8')).toBe('{"a": 2, "registry-mirrors": []}');
  });

  it('does nothing when our entry or the file is gone, and refuses a file that became invalid', async () => {
    const { undo } = await configureDaemonJson(path, MIRROR, NO_VALIDATE);
    await writeFile(path, '{"registry-mirrors": ["https://other.example"]}');
    expect(await undoDaemonJson(undo!)).toMatchObject({ action: 'nothing' });
    expect(await readFile(path, 'utf8')).toBe('{"registry-mirrors": ["https://other.example"]}');
    await writeFile(path, `{"registry-mirrors": ["${MIRROR}"],}`);
    await expectUntouched(() => undoDaemonJson(undo!), 'INVALID_JSON');
    await rm(path);
    expect(await undoDaemonJson(undo!)).toMatchObject({ action: 'nothing' });
    expect(await listing()).toEqual([]);
  });

  it('rejects a record that is not ours', async () => {
    for (const junk of [
      null,
      {},
      { version: 2, path, mirror: MIRROR, before: null, afterSha256: '0'.repeat(64) },
    ]) {
      expect(isDaemonJsonUndo(junk)).toBe(false);
      expect((await failure(undoDaemonJson(junk as unknown as DaemonJsonUndo))).code).toBe('BAD_UNDO');
    }
  });
});

describe('daemonJsonStatus and daemonJsonPaths', () => {
  it('reads without writing', async () => {
    expect(await daemonJsonStatus(path, MIRROR)).toEqual({ exists: false, configured: false, mirrors: [] });
    await writeFile(path, '{"registry-mirrors": ["HTTP://127.0.0.1:5000/", "https://x"]}');
    expect(await daemonJsonStatus(path, MIRROR)).toEqual({
      exists: true,
      configured: true,
      mirrors: ['HTTP://127.0.0.1:5000/', 'https://x'],
    });
  });

  it('knows where each engine keeps its file', () => {
    expect(daemonJsonPaths('/Users/me')).toEqual({
      dockerDesktop: '/Users/me/.docker/daemon.json',
      linux: '/etc/docker/daemon.json',
      orbstack: '/Users/me/.orbstack/config/docker.json',
    });
  });
});

// ---- Property-based, on real files -----------------------------------------------------------

describe('configure + undo on generated files (properties)', () => {
  let root: string;
  let n = 0;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'drpc-dj-prop-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const key = fc.string({ unit: 'grapheme', maxLength: 8 }).filter((k) => k !== KEY && k !== '__proto__');
  const file = fc.record({
    entries: fc.uniqueArray(fc.tuple(key, fc.jsonValue({ maxDepth: 2, stringUnit: 'grapheme' })), {
      maxLength: 5,
      selector: ([k]) => k,
    }),
    mirrors: fc.option(
      fc.array(fc.constantFrom('https://a.example', 'http://b.example:8080/', 'localhost:5000'), {
        maxLength: 3,
      }),
      {
        nil: undefined,
        freq: 2,
      },
    ),
    indent: fc.constantFrom<number | string>(0, 2, 4, '\t'),
    bom: fc.boolean(),
    trail: fc.constantFrom('', '\n', '\r\n'),
    exists: fc.oneof(
      { weight: 5, arbitrary: fc.constant(true) },
      { weight: 1, arbitrary: fc.constant(false) },
    ),
    mode: fc.constantFrom(0o644, 0o600, 0o640, 0o664),
  });
  type File = typeof file extends fc.Arbitrary<infer T> ? T : never;
  const valueOf = (text: string) => JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>;

  async function setUp(f: File): Promise<{ path: string; bytes: Buffer | null }> {
    const p = join(root, `case-${n++}.json`);
    const obj = Object.fromEntries(f.entries);
    if (f.mirrors) obj[KEY] = f.mirrors;
    if (!f.exists) return { path: p, bytes: null };
    const bytes = Buffer.from(
      (f.bom ? '\uFEFF' : '') + JSON.stringify(obj, null, f.indent) + f.trail,
      'utf8',
    );
    await writeFile(p, bytes);
    await chmod(p, f.mode);
    return { path: p, bytes };
  }

  it('undo right after configure restores the original bytes and mode exactly (or deletes a created file)', async () => {
    await fc.assert(
      fc.asyncProperty(file, async (f) => {
        const { path: p, bytes } = await setUp(f);
        const result = await configureDaemonJson(p, MIRROR, NO_VALIDATE);
        expect(result.changed).toBe(true);
        expect(result.created).toBe(bytes === null);
        if (bytes) expect((await readFile(`${p}.drpc-backup`)).equals(bytes)).toBe(true);
        const written = await stat(p);
        expect(written.mode & 0o777).toBe(bytes ? f.mode : 0o644);
        // A second run writes nothing.
        expect((await configureDaemonJson(p, MIRROR, NO_VALIDATE)).changed).toBe(false);
        expect((await stat(p)).ino).toBe(written.ino);

        const undo = JSON.parse(JSON.stringify(result.undo)) as DaemonJsonUndo;
        const back = await undoDaemonJson(undo, NO_VALIDATE);
        if (bytes === null) {
          expect(back.action).toBe('deleted');
          await expect(stat(p)).rejects.toMatchObject({ code: 'ENOENT' });
        } else {
          expect(back.action).toBe('restored');
          expect((await readFile(p)).equals(bytes)).toBe(true);
          expect((await stat(p)).mode & 0o777).toBe(f.mode);
        }
      }),
      runs(250),
    );
  });

  const thirdParty = fc.record({
    kind: fc.constantFrom('reformat', 'add-key', 'delete-key', 'add-mirror', 'remove-ours'),
    indent: fc.constantFrom<number | string>(0, 1, 3, '\t'),
    key,
    value: fc.jsonValue({ maxDepth: 1 }),
  });

  it('undo after a third-party edit removes only our entry and keeps their changes', async () => {
    await fc.assert(
      fc.asyncProperty(file, thirdParty, async (f, edit) => {
        const { path: p, bytes } = await setUp(f);
        const { undo } = await configureDaemonJson(p, MIRROR, NO_VALIDATE);
        const ours = await readFile(p, 'utf8');
        const edited = valueOf(ours);
        const list = () => edited[KEY] as string[];
        if (edit.kind === 'add-key') edited[edit.key] = edit.value;
        if (edit.kind === 'delete-key' && f.entries[0]) delete edited[f.entries[0][0]];
        if (edit.kind === 'add-mirror') edited[KEY] = ['https://third.example', ...list()];
        if (edit.kind === 'remove-ours') edited[KEY] = list().filter((m) => !sameMirror(m, MIRROR));
        const theirs = JSON.stringify(edited, null, edit.indent) + '\n';
        await writeFile(p, theirs);

        const back = await undoDaemonJson(undo!, NO_VALIDATE);
        const now = await readFile(p, 'utf8');
        if (theirs === ours) {
          expect(back.action).toBe('restored'); // their "edit" left our exact bytes
          expect(Buffer.from(now).equals(bytes ?? Buffer.alloc(0))).toBe(true);
          return;
        }
        if (edit.kind === 'remove-ours') {
          expect(back.action).toBe('nothing');
          expect(now).toBe(theirs);
          return;
        }
        expect(back.action).toBe('removed-entry');
        const expected = { ...edited };
        expected[KEY] = list().filter((m) => !sameMirror(m, MIRROR));
        const hadKey = bytes !== null && f.mirrors !== undefined;
        if (!hadKey && list().length === 1) delete expected[KEY];
        expect(JSON.stringify(valueOf(now))).toBe(JSON.stringify(expected));
        expect(now.endsWith('\n')).toBe(true);
      }),
      runs(250),
    );
  });
});
