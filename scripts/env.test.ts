// The first `npm start` on a fresh clone: scripts/env.sh says which step it is on and how far it is,
// on stderr only. npm and an old node are stood in for by two small scripts on PATH (no download):
// `npm install --prefix DIR PKG@22` puts PKG's bin/node there, `npm ci` installs the lock file's
// packages into node_modules/ (one at once, the rest when the test has seen the progress line); the
// stand-in install can stall, as a real download did.
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { tempDir } from '../testbed/helpers.js';

const HERE = import.meta.dirname;

function script(path: string, text: string) {
  writeFileSync(path, text);
  chmodSync(path, 0o755);
}

function fakeClone() {
  const root = tempDir('drpc-fresh-');
  mkdirSync(join(root, 'scripts'));
  copyFileSync(join(HERE, 'env.sh'), join(root, 'scripts', 'env.sh'));
  writeFileSync(join(root, 'package.json'), '{"name": "x"}\n');
  const packages = { '': {}, 'node_modules/a': {}, 'node_modules/b': {}, 'node_modules/@s/c': {} };
  writeFileSync(join(root, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages }, null, 2));
  const bin = join(root, 'fake-bin');
  mkdirSync(bin);
  script(
    join(bin, 'node'),
    `#!/bin/sh\ncase "$*" in *process.versions*) echo 20 ;; --version) echo v20.0.0 ;; esac\n`,
  );
  const go = join(root, 'go');
  script(
    join(bin, 'npm'),
    `#!/bin/sh
case "$1" in
install)
  # A download that stalls: as many times as the number in $STALLS says (nothing grows meanwhile).
  if [ -n "$STALLS" ] && [ "$(cat "$STALLS")" -gt 0 ]; then
    echo $(($(cat "$STALLS") - 1)) > "$STALLS"; exec sleep 600
  fi
  while [ "$1" != "--prefix" ]; do shift; done
  prefix=$2; for last in "$@"; do :; done; pkg=\${last%@22}
  mkdir -p "$prefix/node_modules/$pkg/bin"
  printf '#!/bin/sh\\necho 22\\n' > "$prefix/node_modules/$pkg/bin/node"; chmod +x "$prefix/node_modules/$pkg/bin/node" ;;
ci)
  mkdir -p node_modules/a && echo '{}' > node_modules/a/package.json
  n=0; while [ ! -f "${go}" ] && [ $n -lt 1200 ]; do sleep 0.1; n=$((n + 1)); done
  for p in b @s/c; do mkdir -p "node_modules/$p" && echo '{}' > "node_modules/$p/package.json"; done
  echo "added 3 packages in 1s" ;;
esac
`,
  );
  return { root, env: { PATH: `${bin}:/usr/bin:/bin`, DRPC_ENV_PROGRESS_SECONDS: '1', HOME: root }, go };
}

function sourceEnv(root: string, env: NodeJS.ProcessEnv, onErr: (all: string) => void = () => {}) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn('bash', ['-c', 'source scripts/env.sh && echo ready'], { cwd: root, env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => onErr((err += d.toString())));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('first npm start', () => {
  it('says each step and how far it is on stderr, and nothing once installed', async () => {
    const { root, env, go } = fakeClone();
    // However the test ends, the stand-in npm ends too.
    onTestFinished(() => writeFileSync(go, ''));
    const first = await sourceEnv(root, env, (err) => {
      if (/1 of 3 packages/.test(err)) writeFileSync(go, '');
    });
    expect(first.code, first.err).toBe(0);
    expect(first.out).toBe('ready\n');
    const pkg = `node-${process.platform}-${process.arch === 'arm64' ? 'arm64' : 'x64'}`;
    const lines = first.err.split('\n');
    expect(lines[0]).toBe(
      `env: step 1/2: installing Node 22 (${pkg}@22, about 190 MB) into .tools/ (node v20.0.0 is older than 22) …`,
    );
    expect(lines).toContain('env: step 2/2: installing dependencies (npm ci, 3 packages) …');
    expect(first.err).toMatch(/^env: {3}… npm ci: \d+ s, 1 of 3 packages in node_modules\/$/m);
    expect(first.err).toMatch(/^added 3 packages in 1s$/m);
    expect(lines.filter(Boolean).at(-1)).toMatch(/^env: done in \d+ s$/);

    const again = await sourceEnv(root, env);
    expect(again).toEqual({ code: 0, out: 'ready\n', err: '' });
  });

  it('stops a download that makes no progress and tries again, up to three times', async () => {
    const { root, env, go } = fakeClone();
    writeFileSync(go, ''); // npm ci goes straight through
    const stalls = join(root, 'stalls');
    writeFileSync(stalls, '1');
    const quick = { ...env, STALLS: stalls, DRPC_ENV_STALL_SECONDS: '2' };
    const once = await sourceEnv(root, quick);
    expect(once.code, once.err).toBe(0);
    expect(once.err).toMatch(/^env: {3}… installing Node 22: no progress for \d+ s \(.*\): stopped$/m);
    expect(once.err).toMatch(/^env: {3}… trying again \(2 of 3\)$/m);
    expect(once.out).toBe('ready\n');

    const { root: root2, env: env2, go: go2 } = fakeClone();
    writeFileSync(go2, '');
    writeFileSync(stalls, '5');
    const always = await sourceEnv(root2, { ...env2, STALLS: stalls, DRPC_ENV_STALL_SECONDS: '2' });
    expect(always.code).toBe(1);
    expect(always.err.match(/: stopped$/gm)).toHaveLength(3);
    expect(always.err).toMatch(/env: installing Node 22 failed \(is the npm registry reachable\?\)/);
    expect(always.out).toBe('');
  });
});
