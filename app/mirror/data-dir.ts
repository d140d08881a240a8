// Where the mirror's files may live. One check for every path that takes a data directory (the CLI's
// --data-dir, the app's Settings view, the settings file: all through the settings schema), and a
// mkdir that always ends: Node's recursive mkdir spins forever where mkdir answers ENOENT under a
// parent that exists (/proc/x), so the directories are made one at a time, each checked.
import { mkdir, realpath, stat, statfs } from 'node:fs/promises';
import { dirname, isAbsolute, posix, resolve } from 'node:path';

/** Kernel file systems: they hold processes, devices and settings, never a cache. */
const PSEUDO_ROOTS: Record<string, string> = {
  '/proc': 'the kernel’s process table',
  '/sys': 'the kernel’s device and driver settings',
  '/dev': 'device files',
};

/** statfs f_type of the kernel's own file systems (linux/magic.h): nothing can be stored there. */
const PSEUDO_FS = new Map<number, string>([
  [0x9fa0, 'procfs'],
  [0x62656572, 'sysfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x1cd1, 'devpts'],
  [0x62656570, 'configfs'],
  [0xcafe4a11, 'bpf'],
  [0x6165676c, 'pstore'],
  [0xde5e81e4, 'efivarfs'],
  [0x65735543, 'fusectl'],
]);

/**
 * Why a path cannot be a data directory, as the end of a sentence that starts with the setting's
 * name ("data directory …" in the app, "--data-dir …" on the command line); undefined when it can.
 * Pure (no file system access): it runs inside the settings schema.
 */
export function dataDirProblem(path: string): string | undefined {
  if (!isAbsolute(path)) return 'must be an absolute path';
  const normal = posix.normalize(path);
  for (const [root, what] of Object.entries(PSEUDO_ROOTS)) {
    if (normal === root || normal.startsWith(`${root}/`)) {
      return `cannot be under ${root} (${what}, not a disk): choose a directory you can write to`;
    }
  }
  return undefined;
}

function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

/**
 * Checks what exists of `dir` without changing anything: the deepest existing ancestor must be a
 * directory whose real location (symlinks followed) passes dataDirProblem and is not on a kernel file
 * system. Returns the directories still to make, outermost first. Throws an Error saying why not.
 */
export async function checkDataDir(dir: string): Promise<string[]> {
  const problem = dataDirProblem(dir);
  if (problem) throw new Error(`${dir} ${problem}`);
  const missing: string[] = [];
  let existing = resolve(dir);
  for (;;) {
    try {
      if (!(await stat(existing)).isDirectory()) {
        throw Object.assign(new Error(`${existing} is a file, not a directory`), { code: 'EEXIST' });
      }
      break;
    } catch (err) {
      // ENOTDIR: a file on the way, found (and named) one level up.
      if (errnoOf(err) !== 'ENOENT' && errnoOf(err) !== 'ENOTDIR') throw err;
      missing.unshift(existing);
      const parent = dirname(existing);
      if (parent === existing) throw err;
      existing = parent;
    }
  }
  const real = await realpath(existing);
  const realProblem = dataDirProblem(real);
  if (realProblem) throw new Error(`${existing} is ${real}, which ${realProblem}`);
  const fs = PSEUDO_FS.get(Number((await statfs(real)).type));
  if (fs) throw new Error(`${existing} is on ${fs}, a kernel file system, not a disk`);
  return missing;
}

/** mkdir -p that cannot loop: at most one mkdir per missing path component, each one checked. */
export async function makeDataDir(dir: string): Promise<void> {
  for (const d of await checkDataDir(dir)) {
    try {
      await mkdir(d);
    } catch (err) {
      // Made meanwhile by someone else: fine if it is a directory.
      if (errnoOf(err) === 'EEXIST' && (await stat(d)).isDirectory()) continue;
      throw err;
    }
  }
}
