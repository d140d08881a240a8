// The preload: runs sandboxed (CommonJS, only `electron`'s renderer modules), and exposes one object,
// `window.drpc` (see app/contract/api.ts), to the page. The page never gets ipcRenderer, nor the
// IPC event objects (their `sender` is ipcRenderer): listeners receive the payload alone.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createDrpcApi } from '../app/contract/api.js';

const api = createDrpcApi({
  invoke: (channel, input) => ipcRenderer.invoke(channel, input),
  subscribe(channel, listener) {
    const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, forward);
    return () => {
      ipcRenderer.removeListener(channel, forward);
    };
  },
});

contextBridge.exposeInMainWorld('drpc', api);
