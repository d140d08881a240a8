// Where the registry (CNCF Distribution 2.8, filesystem driver) keeps things under its data dir.
import { join } from 'node:path';

export const V2 = join('docker', 'registry', 'v2');

export interface StoreLayout {
  dataDir: string;
  v2: string;
  /** blobs/sha256: <2 hex>/<hex>/data */
  blobs: string;
  repositories: string;
  schedulerState: string;
}

export function storeLayout(dataDir: string): StoreLayout {
  const v2 = join(dataDir, V2);
  return {
    dataDir,
    v2,
    blobs: join(v2, 'blobs', 'sha256'),
    repositories: join(v2, 'repositories'),
    schedulerState: join(dataDir, 'scheduler-state.json'),
  };
}

export const HEX64 = /^[0-9a-f]{64}$/;
export const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function blobDataPath(layout: StoreLayout, digest: string): string {
  const hex = digest.slice('sha256:'.length);
  return join(layout.blobs, hex.slice(0, 2), hex, 'data');
}

/** A link file holds `sha256:<hex>` (the registry writes no newline; tolerate one). */
export function parseLink(content: Buffer | string): string | undefined {
  const text = content.toString().trim();
  return DIGEST.test(text) ? text : undefined;
}
