// `window.drpc`: the API the preload exposes (app/contract/api.ts). In a plain browser (the bridge used
// by tests and development) it is absent and renderer/api/bridge.ts provides the same API.
import type { DrpcApi } from '../app/contract/api.js';

declare global {
  interface Window {
    readonly drpc?: DrpcApi;
  }
}
