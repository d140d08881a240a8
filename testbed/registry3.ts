// Registry 3 (CNCF Distribution 3.x) for the test bed: nothing can be pulled here, so it is built from
// the vendored source tarball in the shared folder beside the checkout (../shared/vendor), with Go
// unpacked from Debian's packages (build-registry3.sh). Source, Go and binary live outside the checkout.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';

const checkout = resolve(import.meta.dirname, '..');

/**
 * Which registry the engine-facing suite runs its mirrors on: DRPC_REGISTRY=3 (3.1.1 built from the
 * vendored source) or 2 (Debian's 2.8 binary). Unset: 3, the product's default, when its source can be
 * found (or a binary built from it is cached); else 2, said by `suiteRegistry().why` (a clone where no
 * shared/vendor is reachable cannot build registry 3). The stand-in Docker Hub stays on 2.8 either way.
 */
export function registryVersion(raw: string | undefined, canBuild3: () => boolean = () => true): 2 | 3 {
  if (raw === '3') return 3;
  if (raw === '2') return 2;
  if (raw === undefined || raw === '') return canBuild3() ? 3 : 2;
  throw new Error(`DRPC_REGISTRY must be 2 or 3, got ${JSON.stringify(raw)}`);
}

/** The suite's registry, decided once per process, and why it is not 3 when unset. */
export function suiteRegistry(env: NodeJS.ProcessEnv = process.env): { version: 2 | 3; why?: string } {
  let why: string | undefined;
  const version = registryVersion(env.DRPC_REGISTRY, () => {
    try {
      findRegistry3Source(env);
      return true;
    } catch (err) {
      if (cachedRegistry3Binary(env)) return true;
      why = `${(err as Error).message}; the suite runs on registry 2.8 (DRPC_REGISTRY=3 makes this an error)`;
      return false;
    }
  });
  return { version, ...(why ? { why } : {}) };
}

/**
 * Where the checkout came from: a clone's `origin` when it is a path on this machine (CI clones the
 * working repository), so shared/vendor is found above the original even from a clone elsewhere.
 */
function originOf(from: string): string | undefined {
  try {
    const config = readFileSync(join(from, '.git', 'config'), 'utf8');
    const url = /\[remote "origin"\][^[]*?\burl\s*=\s*(\S+)/.exec(config)?.[1];
    if (!url) return undefined;
    const path = url.startsWith('file://') ? url.slice('file://'.length) : url;
    return isAbsolute(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The source tarball: DRPC_SHARED_DIR/vendor, else the first `shared/vendor` found walking up from the
 * checkout (a worktree or a CI clone sits a few levels below the folder that holds shared/), else from
 * the repository it was cloned from.
 */
export function findRegistry3Source(env: NodeJS.ProcessEnv = process.env, from = checkout): string {
  const dirs: string[] = [];
  if (env.DRPC_SHARED_DIR) dirs.push(join(env.DRPC_SHARED_DIR, 'vendor'));
  else {
    const origin = originOf(from);
    for (const start of origin ? [from, origin] : [from])
      for (let d = start; ; d = dirname(d)) {
        dirs.push(join(d, 'shared', 'vendor'));
        if (dirname(d) === d) break;
      }
  }
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    const tarball = readdirSync(dir)
      .filter((f) => /^distribution-3\.[0-9.]+\.tar\.gz$/.test(f))
      .sort()
      .pop();
    if (tarball) return join(dir, tarball);
  }
  throw new Error(
    'cannot build registry:3: no distribution-3.*.tar.gz in ' +
      (env.DRPC_SHARED_DIR ? `${env.DRPC_SHARED_DIR}/vendor` : `a shared/vendor folder above ${from}`) +
      ' (set DRPC_SHARED_DIR to the folder that holds vendor/)',
  );
}

/** A registry 3 binary an earlier build left in the machine's cache (any source version), if one. */
export function cachedRegistry3Binary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = join(testbedCacheDir(env), 'registry-3');
  if (!existsSync(dir)) return undefined;
  for (const key of readdirSync(dir).sort().reverse()) {
    const bin = join(dir, key, 'registry');
    if (existsSync(bin)) return bin;
  }
  return undefined;
}

/** Go and built binaries, shared by every checkout on the machine (keyed by the tarball's sha256). */
export function testbedCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DRPC_TESTBED_CACHE) return env.DRPC_TESTBED_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'drpc-testbed');
}

/** The static registry 3 binary: built once (minutes on 2 cores), then reused. */
export async function registry3Binary(): Promise<string> {
  const script = join(import.meta.dirname, 'build-registry3.sh');
  let tarball: string;
  try {
    tarball = findRegistry3Source();
  } catch (err) {
    // No source reachable from this clone, but a binary built from it on this machine: use that.
    const cached = cachedRegistry3Binary();
    if (cached) return cached;
    throw err;
  }
  return new Promise((res, rej) => {
    execFile(
      'bash',
      [script, tarball, testbedCacheDir()],
      { maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const path = stdout.trim().split('\n').pop() ?? '';
        if (err || !existsSync(path)) {
          const tail = stderr.trim().split('\n').slice(-15).join('\n');
          rej(new Error(`cannot build registry:3 from ${tarball}:\n${tail || err?.message}`));
        } else res(path);
      },
    );
  });
}
