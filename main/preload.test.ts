// Builds the preload exactly as `npm run build:preload` does, into a temporary directory, and checks
// the file Electron would load: CommonJS, nothing required beyond what a sandboxed preload may use,
// and the one API object it exposes behaves.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script, createContext } from 'node:vm';
import { build } from 'vite';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { DrpcApi } from '../app/contract/api.js';

// What `require` offers inside a sandboxed preload (Electron docs, "Process Sandboxing").
const SANDBOX_MODULES = ['electron', 'events', 'timers', 'url'];

let code = '';

beforeAll(async () => {
  const root = fileURLToPath(new URL('../', import.meta.url));
  const outDir = mkdtempSync(join(tmpdir(), 'drpc-preload-'));
  await build({
    root,
    configFile: join(root, 'vite.preload.config.ts'),
    logLevel: 'silent',
    build: { outDir },
  });
  code = readFileSync(join(outDir, 'preload.cjs'), 'utf8');
}, 60_000);

interface Loaded {
  api: DrpcApi;
  exposed: string[];
  required: string[];
  invoke: ReturnType<typeof vi.fn>;
  listeners: Map<string, (event: unknown, payload: unknown) => void>;
  ipcRenderer: object;
}

/** Runs the bundle as Electron's sandbox would: a CommonJS wrapper, our fake `require`. */
function load(reply: (channel: string, input: unknown) => Promise<unknown>): Loaded {
  const exposed: string[] = [];
  const required: string[] = [];
  const listeners = new Map<string, (event: unknown, payload: unknown) => void>();
  const invoke = vi.fn(reply);
  const ipcRenderer = {
    invoke,
    on: (channel: string, l: (event: unknown, payload: unknown) => void) => listeners.set(channel, l),
    removeListener: (channel: string, l: unknown) =>
      listeners.get(channel) === l && listeners.delete(channel),
  };
  let api: DrpcApi | undefined;
  const electron = {
    ipcRenderer,
    contextBridge: {
      exposeInMainWorld: (key: string, value: DrpcApi) => {
        exposed.push(key);
        api = value;
      },
    },
  };
  const require = (id: string) => {
    required.push(id);
    if (id === 'electron') return electron;
    throw new Error(`Cannot find module '${id}'`);
  };
  const wrapper = new Script(`(function (exports, require, module) {\n${code}\n})`, {
    filename: 'preload.cjs',
  });
  const module = { exports: {} };
  (wrapper.runInContext(createContext({})) as (e: object, r: typeof require, m: object) => void)(
    module.exports,
    require,
    module,
  );
  if (!api) throw new Error('the preload exposed nothing');
  return { api, exposed, required, invoke, listeners, ipcRenderer };
}

describe('the built preload', () => {
  it('is CommonJS: no import or export statements', () => {
    expect(code).not.toMatch(/^\s*(import|export)\s/m);
    expect(code).not.toMatch(/\bimport\s*\(/);
    expect(() => new Script(`(function (exports, require, module) {\n${code}\n})`)).not.toThrow();
  });

  it('requires nothing but modules a sandboxed preload may use', () => {
    const specifiers = [...code.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]);
    expect(specifiers.length).toBeGreaterThan(0);
    for (const s of specifiers) expect(SANDBOX_MODULES).toContain(s);
    expect(code).not.toMatch(/\brequire\(\s*[^"'`\s]/); // no computed requires
    expect(load(async () => null).required).toEqual(['electron']);
  });

  it('carries no zod and no Node built-ins', () => {
    expect(code).not.toMatch(/node:|zod|child_process|\bfs\b/);
  });

  it('exposes exactly one object, window.drpc', () => {
    const { exposed, api } = load(async () => null);
    expect(exposed).toEqual(['drpc']);
    expect(api.version).toBe(1);
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('calls main on the contract channel and returns its envelope', async () => {
    const reply = { ok: true, value: { configured: false, username: null } };
    const { api, invoke } = load(async () => reply);
    expect(await api.call('credentials.get')).toEqual(reply);
    expect(invoke).toHaveBeenCalledWith('drpc:call:credentials.get', undefined);
    await api.call('mirror.logs', { tail: 5 });
    expect(invoke).toHaveBeenLastCalledWith('drpc:call:mirror.logs', { tail: 5 });
  });

  it('never rejects: unknown calls, IPC failures and malformed replies come back as errors', async () => {
    const { api, invoke } = load(async (channel) => {
      if (channel.endsWith('mirror.up')) throw new Error('No handler registered');
      return { nonsense: true };
    });
    // @ts-expect-error: a name outside the contract, as a compromised page might send
    expect(await api.call('shell.exec', { cmd: 'rm -rf /' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(invoke).not.toHaveBeenCalledWith('drpc:call:shell.exec', expect.anything());
    expect(await api.call('mirror.up')).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'No handler registered' },
    });
    expect(await api.call('mirror.down')).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('gives listeners the payload only, never the IPC event (whose sender is ipcRenderer)', () => {
    const { api, listeners, ipcRenderer } = load(async () => null);
    const got: unknown[][] = [];
    const off = api.on('mirror.operation', (...args: unknown[]) => got.push(args));
    const forward = listeners.get('drpc:event:mirror.operation');
    forward?.({ sender: ipcRenderer, ports: [] }, 'up');
    expect(got).toEqual([['up']]);
    off();
    expect(listeners.has('drpc:event:mirror.operation')).toBe(false);
    // @ts-expect-error: not an event of the contract
    expect(() => api.on('anything', () => {})).toThrow(/unknown event/);
  });
});
