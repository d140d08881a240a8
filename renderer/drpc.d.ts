// `window.drpc`: the API the preload exposes (app/contract/api.ts). The renderer has nothing else.
import type { DrpcApi } from '../app/contract/api.js';

declare global {
  interface Window {
    readonly drpc: DrpcApi;
  }
}
