// The UI journeys run the app, not a twin of it: the menu-bar app (main/index.ts, on a fake electron)
// and the browser bridge each build their core with the one composition root, and every contract call
// a page makes, over IPC or over the bridge's WebSocket, runs that core's handler. Both run the real
// engine code, against an engine that is not there (the contract still answers).
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CallInput } from '../../app/contract/calls.js';
import { CALL_NAMES, type CallName } from '../../app/contract/names.js';
import type { Core } from '../../app/core/compose.js';
import { AppError } from '../../app/util/errors.js';
import { call, connect } from './client.js';
import type { Bridge } from './server.js';

vi.hoisted(() => {
  // See main/settings-store.test.ts: lets electron-store load under plain Node.
  process.env.ELECTRON_OVERRIDE_DIST_PATH ??= '/nonexistent/electron-dist';
});
vi.mock('electron', () => import('../../main/testing/fake-electron.js'));
// The real composition root, watched: who builds a core, and which core it is.
vi.mock('../../app/core/compose.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../app/core/compose.js')>();
  return { ...real, composeCore: vi.fn(real.composeCore) };
});

const fake = await import('../../main/testing/fake-electron.js');
const { composeCore } = await import('../../app/core/compose.js');
const { startApp } = await import('../../main/index.js');
const { startBridge } = await import('./server.js');

/** A valid input for every call: the compiler asks for one when a call is added to the contract. */
const INPUTS: { [N in CallName]: CallInput<N> } = {
  'mirror.status': undefined,
  'mirror.up': undefined,
  'mirror.down': undefined,
  'mirror.restart': undefined,
  'mirror.verify': { image: 'busybox:latest' },
  'mirror.logs': { tail: 5 },
  'settings.get': undefined,
  'settings.update': { app: { startAtLogin: false } },
  'credentials.get': undefined,
  'credentials.set': { username: 'alice', password: 'not-a-real-token' },
  'credentials.clear': undefined,
  'app.loginItem.get': undefined,
  'app.loginItem.set': { openAtLogin: false },
  'app.openDashboard': undefined,
  'app.quit': { stopMirror: false },
  'notices.list': undefined,
  'notices.dismiss': { id: 'settings-reset-1' },
  'cache.report': undefined,
  'cache.tags': { repository: 'library/busybox' },
  'cache.plan': { selection: { kind: 'unused', days: 30 } },
  'cache.prune': { planId: randomUUID() },
  'cache.reset': { confirmation: 'delete the cache' },
  'cache.history': undefined,
  'upstream.status': { refresh: false },
  'engines.list': undefined,
  'engines.configure': { engine: 'linux-dockerd' },
  'engines.undo': { engine: 'linux-dockerd' },
  'machine.createRegistry': { driver: 'virtualbox', replaceExisting: false },
};

let work: string;
let app: NonNullable<Awaited<ReturnType<typeof startApp>>>;
let bridge: Bridge;
/** the cores composeCore returned, in order (vitest clears a mock's record before each test) */
let built: Promise<Core>[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'drpc-same-core-'));
  const env = { DOCKER_HOST: `unix://${join(work, 'no-docker.sock')}` };
  const probeUpstream = async () => ({ reachable: true as const, ms: 0 });
  fake.resetFakeElectron();
  const shell = await startApp({
    env: { ...env, DRPC_HOME: join(work, 'app'), HOME: join(work, 'app') },
    platform: 'darwin',
    root: pathToFileURL(`${join(work, 'root')}/`),
    probeUpstream,
    logSink: () => {},
  });
  if (!shell) throw new Error('the app did not start');
  app = shell;
  const rendererDir = join(work, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>ui</title>');
  bridge = await startBridge({ home: join(work, 'bridge'), env, rendererDir, probeUpstream });
  built = vi.mocked(composeCore).mock.results.map((r) => r.value as Promise<Core>);
});

afterAll(async () => {
  await app?.core.dispose();
  await bridge?.close();
  rmSync(work, { recursive: true, force: true });
});

/** A call as the popover's page makes it, through main's IPC registration. */
function ipcCall(name: CallName, input: unknown) {
  const page = fake.BrowserWindow.all[0]?.webContents;
  if (!page) throw new Error('no popover window');
  return fake.ipcMain.invoke(page, `drpc:call:${name}`, input);
}

/** Puts a tracer in place of each of the core's handlers: it records the call and answers with an error. */
function trace(core: Core, seen: string[]): () => void {
  const originals = { ...core.handlers };
  for (const name of CALL_NAMES) {
    Object.assign(core.handlers, {
      [name]: async () => {
        seen.push(name);
        throw new AppError('VERIFY_FAILED', `traced ${name}`);
      },
    });
  }
  return () => Object.assign(core.handlers, originals);
}

describe('one core for the app and the browser bridge', () => {
  it('is built by composeCore, once for each', async () => {
    expect(built).toHaveLength(2);
    expect(await built[0]).toBe(app.core);
    expect(await built[1]).toBe(bridge.core);
    expect(app.core).not.toBe(bridge.core);
    expect(app.mirror).toBe(app.core.mirror);
    expect(bridge.settings).toBe(bridge.core.settings);
  });

  it('has the same handler for every contract call', () => {
    const names = [...CALL_NAMES].sort();
    expect(Object.keys(app.core.handlers).sort()).toEqual(names);
    expect(Object.keys(bridge.core.handlers).sort()).toEqual(names);
    for (const name of CALL_NAMES) {
      // Two instances of one function: the same code, closed over each core's own services.
      expect(String(app.core.handlers[name]), name).toBe(String(bridge.core.handlers[name]));
      expect(app.core.handlers[name], name).not.toBe(bridge.core.handlers[name]);
    }
  });

  it("runs the core's handler for every call, over main's IPC and over the bridge's WebSocket", async () => {
    const ws = await connect(bridge.url);
    const seen = { app: [] as string[], bridge: [] as string[] };
    const restore = [trace(app.core, seen.app), trace(bridge.core, seen.bridge)];
    try {
      for (const name of CALL_NAMES) {
        const traced = { ok: false, error: { code: 'VERIFY_FAILED', message: `traced ${name}` } };
        expect(await ipcCall(name, INPUTS[name]), `${name} over IPC`).toEqual(traced);
        expect(await call(ws, `drpc:call:${name}`, INPUTS[name]), `${name} over the bridge`).toEqual(traced);
      }
    } finally {
      for (const undo of restore) undo();
      ws.close();
    }
    expect(seen.app).toEqual([...CALL_NAMES]);
    expect(seen.bridge).toEqual([...CALL_NAMES]);
  });

  it('answers from the real core again once the tracers are gone', async () => {
    const ws = await connect(bridge.url);
    try {
      for (const name of ['mirror.status', 'credentials.get', 'app.loginItem.get'] as const) {
        const viaApp = await ipcCall(name, undefined);
        const viaBridge = await call(ws, `drpc:call:${name}`);
        expect(viaApp, name).toMatchObject({ ok: true });
        expect(viaBridge, name).toMatchObject({ ok: true });
      }
      expect(await call(ws, 'drpc:call:mirror.status')).toMatchObject({
        value: { state: 'engine-unreachable' },
      });
      expect(await ipcCall('mirror.status', undefined)).toMatchObject({
        value: { state: 'engine-unreachable' },
      });
    } finally {
      ws.close();
    }
  });
});
