import { mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDataDir, dataDirProblem, makeDataDir } from './data-dir.js';
import { prepareDirs } from './files.js';

const temp = () => mkdtempSync(join(tmpdir(), 'drpc-datadir-'));

describe('data directory check', () => {
  it('refuses relative paths and the kernel file systems by path', () => {
    expect(dataDirProblem('cache')).toBe('must be an absolute path');
    for (const p of ['/proc', '/proc/x', '/proc/self/../x', '/sys/x', '/dev/x', '/dev/shm/x'])
      expect(dataDirProblem(p), p).toMatch(/^cannot be under \/(proc|sys|dev) \(/);
    for (const p of ['/', '/srv/x', '/tmp/proc/x', '/devel/x']) expect(dataDirProblem(p), p).toBeUndefined();
  });

  // Node's mkdir(…, {recursive: true}) never returns for /proc/x (it retries ENOENT forever): a test
  // that hangs here is that bug back.
  it('makes nothing and ends where mkdir cannot make progress', async () => {
    await expect(makeDataDir('/proc/x/config')).rejects.toThrow(/cannot be under \/proc/);
    const d = temp();
    writeFileSync(join(d, 'file'), '');
    await expect(makeDataDir(join(d, 'file', 'a', 'b'))).rejects.toThrow(
      `${join(d, 'file')} is a file, not a directory`,
    );
    // A symlink does not hide a kernel file system.
    symlinkSync('/proc/self', join(d, 'to-proc'));
    await expect(makeDataDir(join(d, 'to-proc', 'x', 'y'))).rejects.toThrow(
      /is \/proc\/\d+, which cannot be under \/proc/,
    );
    symlinkSync('/sys/kernel', join(d, 'to-sys'));
    await expect(checkDataDir(join(d, 'to-sys', 'x'))).rejects.toThrow(/cannot be under \/sys/);
  });

  it('makes every missing directory, and accepts one that exists', async () => {
    const d = temp();
    const deep = join(d, 'a', 'b', 'c');
    expect(await checkDataDir(deep)).toEqual([join(d, 'a'), join(d, 'a', 'b'), deep]);
    await makeDataDir(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    await makeDataDir(deep);
    mkdirSync(join(d, 'e'));
    expect(await checkDataDir(join(d, 'e'))).toEqual([]);
  });

  it('prepareDirs says which directory it cannot use', async () => {
    const d = temp();
    writeFileSync(join(d, 'file'), '');
    await expect(prepareDirs({ dataDir: join(d, 'file', 'mirror') })).rejects.toMatchObject({
      code: 'DATA_DIR_UNWRITABLE',
      message: expect.stringMatching(
        /cannot use .*file\/mirror\/config for the mirror's files \(.*file is a file, not a directory\)/,
      ),
    });
    await expect(prepareDirs({ dataDir: '/proc/drpc' })).rejects.toMatchObject({
      code: 'DATA_DIR_UNWRITABLE',
    });
  });
});
