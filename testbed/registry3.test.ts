// Where the test bed finds the registry 3 source and keeps what it builds from it, and the image it
// makes: the real 3.1.1 binary, read by the app as a 3.x image.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { registryMajorOf } from '../app/mirror/registry-config.js';
import { tempDir, testDocker } from './helpers.js';
import { findRegistry3Source, registryVersion, suiteRegistry, testbedCacheDir } from './registry3.js';

describe('registry 3 for the test bed', () => {
  it('reads DRPC_REGISTRY as 3 (default, as the product, when it can be built) or 2, and refuses anything else', () => {
    expect(registryVersion(undefined)).toBe(3);
    expect(registryVersion('')).toBe(3);
    expect(registryVersion(undefined, () => false)).toBe(2);
    expect(registryVersion('3', () => false)).toBe(3); // asked for: its build fails with the reason
    expect(registryVersion('2')).toBe(2);
    for (const bad of ['3.1', 'latest', '4']) expect(() => registryVersion(bad)).toThrow(/must be 2 or 3/);
  });

  it('finds shared/vendor a few folders above the checkout, or where DRPC_SHARED_DIR says', () => {
    const root = tempDir('drpc-shared-');
    mkdirSync(join(root, 'shared', 'vendor'), { recursive: true });
    const tarball = join(root, 'shared', 'vendor', 'distribution-3.1.1.tar.gz');
    writeFileSync(tarball, '');
    const checkout = join(root, 'ci', 'clone');
    mkdirSync(checkout, { recursive: true });
    expect(findRegistry3Source({}, checkout)).toBe(tarball);
    expect(findRegistry3Source({ DRPC_SHARED_DIR: join(root, 'shared') }, '/')).toBe(tarball);
    expect(() => findRegistry3Source({ DRPC_SHARED_DIR: join(root, 'ci') }, checkout)).toThrow(
      /no distribution-3\.\*\.tar\.gz in .*ci\/vendor .*DRPC_SHARED_DIR/,
    );
  });

  it('finds shared/vendor above the repository a clone came from, when the clone is elsewhere', () => {
    const root = tempDir('drpc-shared-');
    mkdirSync(join(root, 'shared', 'vendor'), { recursive: true });
    const tarball = join(root, 'shared', 'vendor', 'distribution-3.1.1.tar.gz');
    writeFileSync(tarball, '');
    const original = join(root, 'main');
    const clone = tempDir('drpc-clone-');
    mkdirSync(join(clone, '.git'), { recursive: true });
    writeFileSync(
      join(clone, '.git', 'config'),
      `[core]\n\tbare = false\n[remote "origin"]\n\turl = ${original}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n`,
    );
    expect(findRegistry3Source({}, clone)).toBe(tarball);
    writeFileSync(join(clone, '.git', 'config'), `[remote "origin"]\n\turl = https://example.com/x.git\n`);
    expect(() => findRegistry3Source({}, clone)).toThrow(/no distribution-3/);
  });

  it('without a reachable source, runs the suite on 2.8 and says why, unless registry 3 was asked for', () => {
    const empty = tempDir('drpc-cache-');
    const env = { DRPC_SHARED_DIR: tempDir('drpc-noshared-'), DRPC_TESTBED_CACHE: empty };
    expect(suiteRegistry(env)).toEqual({
      version: 2,
      why: expect.stringMatching(/no distribution-3.*runs on registry 2\.8/),
    });
    expect(suiteRegistry({ ...env, DRPC_REGISTRY: '3' })).toEqual({ version: 3 });
    // A binary built earlier on this machine is enough.
    mkdirSync(join(empty, 'registry-3', 'abc'), { recursive: true });
    writeFileSync(join(empty, 'registry-3', 'abc', 'registry'), '');
    expect(suiteRegistry(env)).toEqual({ version: 3 });
  });

  it('keeps Go and the binary in one cache per machine, not per checkout', () => {
    expect(testbedCacheDir({ DRPC_TESTBED_CACHE: '/x' })).toBe('/x');
    expect(testbedCacheDir({ XDG_CACHE_HOME: '/c' })).toBe('/c/drpc-testbed');
  });

  it('builds registry:3 as a 3.x image the app recognises', async (ctx) => {
    if (inject('testbed')?.mirrorImage !== 'registry:3')
      ctx.skip('DRPC_REGISTRY=2 runs the suite on 2.8 and builds no registry:3');
    const img = await testDocker().getImage('registry:3').inspect();
    expect(registryMajorOf('registry:3', img.Config.Cmd)).toBe(3);
    expect(img.Config.Env).toContain('OTEL_TRACES_EXPORTER=none');
  });
});
