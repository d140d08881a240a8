// The storage scanner: sizes, sharing and garbage-collection reach of the registry's data dir.
export { createScanner, scanStore, type RefreshHint, type Scanner, type ScannerOptions } from './scanner.js';
export {
  createWorkerScanner,
  scanStoreInWorker,
  type WorkerScanner,
  type WorkerScannerOptions,
} from './worker-scanner.js';
export { createBlobMeter, type BlobMeter } from './blob-meter.js';
export type { PlanSelection } from './scan-worker.js';
export { summarize, summarizeRepository, type RepositorySummary, type ScanSummary } from './summary.js';
export { planRepositoryRemoval } from './reachability.js';
export { volumeFreeBytes, volumeSpace, type VolumeSpace } from './volume.js';
export { parseManifest, MEDIA_TYPES, type ParsedManifest, type Reference } from './manifest.js';
export { countingFs, nodeFs, type CountingFs, type ScanFs } from './fs-port.js';
export type * from './types.js';
