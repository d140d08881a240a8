// When the report calls the cache volume full. 3.x deletes a failed copy's partial upload (measured on
// a 300 KB tmpfs: 8 % used right after "no space left on device"), so free space alone cannot tell.
import { describe, expect, it } from 'vitest';
import { volumeFull } from './report.js';

const now = Date.parse('2026-12-05T12:00:00Z');
const vol = (freeBytes: number) => ({ freeBytes, totalBytes: 1000 });

describe('volume full', () => {
  it('after a failed write, while the volume is nearly full (2.8 keeps the partial upload)', () => {
    expect(volumeFull({ diskFullAt: now - 1000 }, now, vol(50))).toBe(true);
    expect(volumeFull({ diskFullAt: now - 1000, lastStoredAt: now - 500 }, now, vol(50))).toBe(true);
  });

  it('after a failed write with room left but nothing stored since (3.x cleans up the partial)', () => {
    expect(volumeFull({ diskFullAt: now - 1000 }, now, vol(900))).toBe(true);
    expect(volumeFull({ diskFullAt: now - 1000, lastStoredAt: now - 2000 }, now, vol(900))).toBe(true);
  });

  it('no longer once a copy was stored after it with room left, space was freed, or a day passed', () => {
    expect(volumeFull({ diskFullAt: now - 1000, lastStoredAt: now - 500 }, now, vol(900))).toBe(false);
    expect(volumeFull({ diskFullAt: now - 1000, spaceFreedAt: now - 500 }, now, vol(50))).toBe(false);
    expect(volumeFull({ diskFullAt: now - 86_400_001 }, now, vol(50))).toBe(false);
    expect(volumeFull({}, now, vol(0))).toBe(false);
  });
});
