// What each call of the contract does is shared with the browser bridge (app/service/handlers.ts);
// main only supplies the Electron-backed dependencies (main/index.ts) and registers the handlers
// through ipcMain with its caller checks (main/ipc.ts).
export { createHandlers, type HandlerDeps } from '../app/service/handlers.js';
