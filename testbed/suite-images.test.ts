import { describe, expect, it } from 'vitest';
import { isSuiteImage, isSuiteRef, refThroughMirror } from './suite-images.js';

describe('what the suite may remove from an engine it does not own', () => {
  it('is a fixture pulled through a loopback test mirror, by tag or digest', () => {
    expect(isSuiteRef('localhost:41234/library/busybox:latest')).toBe(true);
    expect(isSuiteRef('127.0.0.1:5000/library/multi@sha256:' + 'a'.repeat(64))).toBe(true);
    expect(isSuiteRef('localhost:41234/library/twotags:v1')).toBe(true);
  });
  it('is never the owner’s: Hub names, their own local registry, other hosts, other repositories', () => {
    for (const ref of [
      'busybox:latest',
      'library/busybox:latest',
      'localhost:5000/myapp:dev',
      'localhost:5000/library/postgres:16',
      'registry.example.com:5000/library/busybox:latest',
      'localhost/library/busybox:latest',
    ])
      expect(isSuiteRef(ref), ref).toBe(false);
  });
  it('takes an image only when every name it has is the suite’s', () => {
    expect(isSuiteImage({ RepoTags: ['localhost:1/library/busybox:latest'], RepoDigests: [] })).toBe(true);
    expect(
      isSuiteImage({ RepoTags: ['localhost:1/library/busybox:latest', 'busybox:latest'], RepoDigests: [] }),
    ).toBe(false);
    expect(isSuiteImage({ RepoTags: ['<none>:<none>'], RepoDigests: [] })).toBe(false);
    expect(isSuiteImage({ RepoTags: null, RepoDigests: null })).toBe(false);
  });
  it('pulls through the mirror’s own address only when one is set', () => {
    expect(refThroughMirror('busybox:latest', undefined)).toBe('busybox:latest');
    expect(refThroughMirror('busybox:latest', 'http://localhost:4321')).toBe(
      'localhost:4321/library/busybox:latest',
    );
    expect(refThroughMirror('library/app-one:latest', 'http://localhost:4321')).toBe(
      'localhost:4321/library/app-one:latest',
    );
  });
});
