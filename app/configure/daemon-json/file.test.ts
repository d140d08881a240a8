import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DaemonJsonError, fsError } from './errors.js';
import {
  assertWritable,
  backupPathFor,
  decodeUtf8,
  readDaemonJsonFile,
  removeIfUnchanged,
  sha256,
  writeAtomic,
} from './file.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drpc-dj-file-'));
  path = join(dir, 'daemon.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DaemonJsonError);
  return (err as DaemonJsonError).code;
}

describe('readDaemonJsonFile', () => {
  it('reads the exact bytes, mode and owner', async () => {
    const bytes = Buffer.from('\uFEFF{"a": "é"}', 'utf8');
    await writeFile(path, bytes, { mode: 0o640 });
    await chmod(path, 0o640);
    const file = await readDaemonJsonFile(path);
    expect(file.bytes?.equals(bytes)).toBe(true);
    expect(file.mode).toBe(0o640);
    expect(file.uid).toBe((await stat(path)).uid);
  });

  it('reports a missing file as null bytes, mode 0644 and the directory owner', async () => {
    const file = await readDaemonJsonFile(path);
    expect(file).toMatchObject({ bytes: null, mode: 0o644, uid: (await stat(dir)).uid });
  });

  it('refuses a missing directory, a directory, a socket and a symlink, naming the link target', async () => {
    expect(await codeOf(readDaemonJsonFile(join(dir, 'nope', 'daemon.json')))).toBe('MISSING_DIRECTORY');
    await mkdir(path);
    expect(await codeOf(readDaemonJsonFile(path))).toBe('NOT_A_FILE');
    await rm(path, { recursive: true });

    const server = createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      expect(await codeOf(readDaemonJsonFile(path))).toBe('NOT_A_FILE');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }

    const target = join(dir, 'real.json');
    await writeFile(target, '{}');
    await rm(path, { force: true });
    await symlink(target, path);
    const err = await readDaemonJsonFile(path).catch((e: DaemonJsonError) => e);
    expect(err).toMatchObject({ code: 'SYMLINK', path });
    expect((err as Error).message).toContain(target);
  });
});

describe('assertWritable', () => {
  it('treats a file without any write bit as read-only, even for root', async () => {
    await writeFile(path, '{}');
    await chmod(path, 0o444);
    expect(await codeOf(assertWritable(await readDaemonJsonFile(path)))).toBe('READ_ONLY');
    await chmod(path, 0o644);
    await expect(assertWritable(await readDaemonJsonFile(path))).resolves.toBeUndefined();
  });

  it('maps EACCES, EPERM and EROFS to READ_ONLY and keeps the cause', () => {
    for (const code of ['EACCES', 'EPERM', 'EROFS']) {
      const cause = Object.assign(new Error(code), { code });
      const err = fsError(cause, path, 'write it');
      expect(err).toMatchObject({ code: 'READ_ONLY', path, cause });
      expect(err.message.startsWith(`${path}: `)).toBe(true);
    }
    expect(fsError(Object.assign(new Error('x'), { code: 'EIO' }), path, 'read it').code).toBe('IO_ERROR');
  });
});

describe('decodeUtf8', () => {
  it('passes valid UTF-8, including a literal U+FFFD and a BOM', () => {
    const text = '\uFEFF{"a": "\uFFFD🐳"}';
    expect(decodeUtf8(Buffer.from(text, 'utf8'))).toBe(text);
  });

  it('reports the line and column of the first invalid byte', () => {
    const bytes = Buffer.concat([
      Buffer.from('\uFEFF{\n  "a": "\uFFFDé'),
      Buffer.from([0xe9]),
      Buffer.from('"\n}'),
    ]);
    const err = (() => {
      try {
        decodeUtf8(bytes);
      } catch (e) {
        return e as DaemonJsonError;
      }
    })();
    expect(err).toMatchObject({ code: 'INVALID_JSON', line: 2, column: 11 });
  });
});

describe('writeAtomic', () => {
  const temps = async () => (await readdir(dir)).filter((n) => n.includes('drpc-tmp'));

  it('replaces the file with the given mode and leaves no temp file', async () => {
    await writeFile(path, 'old');
    const before = (await stat(path)).ino;
    await writeAtomic(path, Buffer.from('new'), { mode: 0o600 });
    expect(await readFile(path, 'utf8')).toBe('new');
    const st = await stat(path);
    expect(st.mode & 0o777).toBe(0o600);
    expect(st.ino).not.toBe(before); // renamed over, not rewritten in place
    expect(await temps()).toEqual([]);
  });

  it('refuses to replace a file that changed since it was read (CONFLICT), writing nothing', async () => {
    await writeFile(path, 'theirs');
    expect(
      await codeOf(writeAtomic(path, Buffer.from('ours'), { mode: 0o644, expect: Buffer.from('old') })),
    ).toBe('CONFLICT');
    expect(await codeOf(writeAtomic(path, Buffer.from('ours'), { mode: 0o644, expect: null }))).toBe(
      'CONFLICT',
    );
    expect(await readFile(path, 'utf8')).toBe('theirs');
    expect(await temps()).toEqual([]);
    await writeAtomic(path, Buffer.from('ours'), { mode: 0o644, expect: Buffer.from('theirs') });
    expect(await readFile(path, 'utf8')).toBe('ours');
  });

  it('fails cleanly when the target is a directory', async () => {
    await mkdir(path);
    expect(await codeOf(writeAtomic(path, Buffer.from('x'), { mode: 0o644 }))).toBe('NOT_A_FILE');
    expect(await temps()).toEqual([]);
  });

  it('removeIfUnchanged deletes only the expected bytes', async () => {
    await writeFile(path, 'ours');
    expect(await codeOf(removeIfUnchanged(path, Buffer.from('other')))).toBe('CONFLICT');
    await removeIfUnchanged(path, Buffer.from('ours'));
    expect((await readdir(dir)).length).toBe(0);
  });

  it('names backups and hashes bytes predictably', () => {
    expect(backupPathFor('/etc/docker/daemon.json')).toBe('/etc/docker/daemon.json.drpc-backup');
    expect(sha256(Buffer.from(''))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256(null)).toBeNull();
  });
});
