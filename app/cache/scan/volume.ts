// Free space on the volume that holds the cache: what a prune or a size limit is measured against.
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface VolumeSpace {
  /** Bytes available to an unprivileged user (`df`'s "Avail"). */
  freeBytes: number;
  totalBytes: number;
}

/** statfs of dataDir, or of its nearest existing ancestor when it is not made yet. */
export async function volumeSpace(dataDir: string): Promise<VolumeSpace> {
  let path = dataDir;
  for (;;) {
    try {
      const s = await statfs(path);
      return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
    } catch (err) {
      const parent = dirname(path);
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || parent === path) throw err;
      path = parent;
    }
  }
}

export async function volumeFreeBytes(dataDir: string): Promise<number> {
  return (await volumeSpace(dataDir)).freeBytes;
}
