// The blob store's size alone (what a prune frees is its difference before and after), measured
// incrementally: the first measure lists the blob store and stats each blob once; the next one lists
// again only the prefix directories whose mtime moved (garbage collection deleted blobs there), so the
// measure after a prune costs a few hundred calls, not a scan. In-process, in time slices.
import { resolve } from 'node:path';
import { BlobStore } from './blob-store.js';
import { DigestTable } from './digests.js';
import { nodeFs, type ScanFs } from './fs-port.js';
import { storeLayout } from './layout.js';
import { runSliced } from './scanner.js';

export interface BlobMeter {
  /** Bytes and number of the blobs in the store now. */
  measure(): Promise<{ bytes: number; count: number }>;
}

export function createBlobMeter(
  dataDir: string,
  options: { fs?: ScanFs; racyWindowMs?: number; sliceMs?: number } = {},
): BlobMeter {
  const store = new BlobStore(options.fs ?? nodeFs, storeLayout(resolve(dataDir)).blobs, new DigestTable());
  const racyWindowMs = options.racyWindowMs ?? 50;
  const sliceMs = options.sliceMs ?? 8;
  return {
    async measure() {
      await runSliced(store.refresh(racyWindowMs), sliceMs);
      return { bytes: store.bytes, count: store.count };
    },
  };
}
