import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { volumeFreeBytes, volumeSpace } from './volume.js';

describe('volumeFreeBytes', () => {
  it('matches df for the volume holding the directory', async () => {
    const { stdout } = await promisify(execFile)('df', ['-B1', '--output=avail,size', tmpdir()]);
    const [avail, size] = (stdout.trim().split('\n')[1] ?? '').trim().split(/\s+/).map(Number);
    const space = await volumeSpace(tmpdir());
    expect(space.totalBytes).toBe(size);
    // Other processes write meanwhile: allow 64 MiB of drift.
    expect(Math.abs(space.freeBytes - (avail ?? 0))).toBeLessThan(64 * 1024 * 1024);
  });

  it('answers for a data dir not created yet from its nearest existing ancestor', async () => {
    const free = await volumeFreeBytes(join(tmpdir(), 'not', 'made', 'yet'));
    expect(free).toBeGreaterThan(0);
    expect(Math.abs(free - (await volumeFreeBytes(tmpdir())))).toBeLessThan(64 * 1024 * 1024);
  });
});
