// Registry 3 (CNCF Distribution 3.x) for the test bed: nothing can be pulled here, so it is built from
// the vendored source tarball in the shared folder beside the checkout (../shared/vendor), with Go
// unpacked from Debian's packages (build-registry3.sh). Source, Go and binary live outside the checkout.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const checkout = resolve(import.meta.dirname, '..');

/**
 * Which registry the engine-facing suite runs its mirrors on: DRPC_REGISTRY=3 (default, the product's
 * default image: 3.1.1 built from source) or 2 (Debian's 2.8 binary). The stand-in Docker Hub stays
 * on 2.8 either way.
 */
export function registryVersion(raw: string | undefined): 2 | 3 {
  if (raw === undefined || raw === '' || raw === '3') return 3;
  if (raw === '2') return 2;
  throw new Error(`DRPC_REGISTRY must be 2 or 3, got ${JSON.stringify(raw)}`);
}

/**
 * The source tarball: DRPC_SHARED_DIR/vendor, else the first `shared/vendor` found walking up from the
 * checkout (a worktree or a CI clone sits a few levels below the folder that holds shared/).
 */
export function findRegistry3Source(env: NodeJS.ProcessEnv = process.env, from = checkout): string {
  const dirs: string[] = [];
  if (env.DRPC_SHARED_DIR) dirs.push(join(env.DRPC_SHARED_DIR, 'vendor'));
  else
    for (let d = from; ; d = dirname(d)) {
      dirs.push(join(d, 'shared', 'vendor'));
      if (dirname(d) === d) break;
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

/** Go and built binaries, shared by every checkout on the machine (keyed by the tarball's sha256). */
export function testbedCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DRPC_TESTBED_CACHE) return env.DRPC_TESTBED_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'drpc-testbed');
}

/** The static registry 3 binary: built once (minutes on 2 cores), then reused. */
export async function registry3Binary(): Promise<string> {
  const script = join(import.meta.dirname, 'build-registry3.sh');
  const tarball = findRegistry3Source();
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
