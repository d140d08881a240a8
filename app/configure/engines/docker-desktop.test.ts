// Docker Desktop cannot run here: its file is real, its engine is a VmEngine that reads the file when
// it starts, and every command it would run is recorded (and answered as the real tools document).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../settings/json-file.js';
import { tempDir } from '../../../testbed/helpers.js';
import { parseDaemonJson } from '../daemon-json/index.js';
import { enoent, fakeClock, recordingRunner, VmEngine, type Answer, type RecordedCall } from '../testing.js';
import { EngineUndoStore } from '../undo-store.js';
import { configureEngine, engineReport, undoEngine } from './configure-engine.js';
import { DockerDesktop } from './docker-desktop.js';

const URL = 'http://localhost:5000';

function setup(script: (call: RecordedCall, engine: VmEngine) => Answer | undefined, daemonJson?: string) {
  const home = tempDir('drpc-desktop-');
  mkdirSync(join(home, '.docker', 'run'), { recursive: true });
  const file = join(home, '.docker', 'daemon.json');
  if (daemonJson !== undefined) writeFileSync(file, daemonJson);
  const engine = new VmEngine(() =>
    existsSync(file) ? (parseDaemonJson(readFileSync(file, 'utf8')).mirrors?.values ?? []) : [],
  );
  engine.start();
  const runner = recordingRunner((call) => script(call, engine) ?? { code: 0 });
  const clock = fakeClock();
  const socket = join(home, '.docker', 'run', 'docker.sock');
  const adapter = new DockerDesktop({
    home,
    platform: 'darwin',
    runner,
    ...clock,
    exists: (p) => p === socket,
    probeAt: (path) => {
      expect(path).toBe(socket);
      return engine.probe;
    },
  });
  const undo = new EngineUndoStore(memoryStore());
  return { home, file, engine, runner, adapter, undo, opts: { undo, ...clock } };
}

/** `docker desktop restart` as Desktop 4.37+ documents it: the engine restarts and reads the file. */
const desktopCli = (call: RecordedCall, engine: VmEngine): Answer | undefined => {
  if (call.file === 'docker' && call.args.join(' ') === 'desktop restart') {
    engine.stop();
    engine.start();
    return { code: 0 };
  }
  return undefined;
};

describe('Docker Desktop adapter', () => {
  it('is found on a Mac by its socket, and not elsewhere', async () => {
    expect(await setup(() => undefined).adapter.detect()).toMatchObject({
      detected: true,
      how: expect.stringMatching(/socket .*docker\.sock/),
    });
    expect(await new DockerDesktop({ platform: 'linux' }).detect()).toEqual({
      detected: false,
      how: 'not macOS (linux)',
    });
  });

  it('configures ~/.docker/daemon.json, restarts with `docker desktop restart`, verifies, and undoes exactly', async () => {
    const original = '{\n  "features": { "buildkit": true }\n}\n';
    const t = setup(desktopCli, original);
    expect((await engineReport(t.adapter, URL)).state).toBe('not-configured');

    const out = await configureEngine(t.adapter, URL, t.opts);
    expect(out).toMatchObject({
      changed: true,
      applied: 'docker desktop restart',
      verified: true,
      state: 'using-mirror',
    });
    expect(t.runner.commands()).toEqual(['docker desktop restart']);
    expect(JSON.parse(readFileSync(t.file, 'utf8'))).toEqual({
      features: { buildkit: true },
      'registry-mirrors': [URL],
    });
    expect(t.engine.mirrors).toEqual([`${URL}/`]);
    expect(await t.undo.records('docker-desktop')).toHaveLength(1);

    // Again: nothing to write, nothing to restart.
    const again = await configureEngine(t.adapter, URL, t.opts);
    expect(again).toMatchObject({ changed: false, applied: null, verified: true });
    expect(t.runner.commands()).toEqual(['docker desktop restart']);

    const back = await undoEngine(t.adapter, t.opts);
    expect(back).toMatchObject({
      undone: 1,
      applied: 'docker desktop restart',
      verified: true,
      engineMirrors: [],
    });
    expect(readFileSync(t.file, 'utf8')).toBe(original);
    expect(await t.undo.records('docker-desktop')).toEqual([]);
  });

  it('quits and reopens the app when the docker CLI has no `desktop` command', async () => {
    let running = true;
    const t = setup((call, engine) => {
      const line = [call.file, ...call.args].join(' ');
      if (line === 'docker desktop restart')
        return { code: 1, stderr: "docker: 'desktop' is not a docker command.\nSee 'docker --help'\n" };
      if (line === 'osascript -e quit app "Docker"') {
        engine.stop();
        return { code: 0 };
      }
      if (line === 'osascript -e application "Docker" is running') {
        // The app takes a moment to quit.
        const answer = running ? 'true' : 'false';
        running = false;
        return { code: 0, stdout: `${answer}\n` };
      }
      if (line === 'open -a Docker') {
        engine.start();
        return { code: 0 };
      }
      return new Error(`unexpected ${line}`);
    });
    const out = await configureEngine(t.adapter, URL, t.opts);
    expect(out.verified).toBe(true);
    expect(t.runner.commands()).toEqual([
      'docker desktop restart',
      'osascript -e quit app "Docker"',
      'osascript -e application "Docker" is running',
      'osascript -e application "Docker" is running',
      'open -a Docker',
    ]);
    expect(t.runner.calls[1]!.args).toEqual(['-e', 'quit app "Docker"']);
    // A file that did not exist is created, and undo deletes it again.
    await undoEngine(t.adapter, t.opts);
    expect(existsSync(t.file)).toBe(false);
  });

  it('falls back the same way when there is no docker CLI at all', async () => {
    const t = setup((call, engine) => {
      if (call.file === 'docker') return enoent('docker');
      if (call.args[1] === 'application "Docker" is running') return { stdout: 'false\n' };
      if (call.file === 'open') engine.start();
      return { code: 0 };
    });
    expect((await configureEngine(t.adapter, URL, t.opts)).verified).toBe(true);
    expect(t.runner.commands().at(-1)).toBe('open -a Docker');
  });

  it('reports a failed restart, keeps the undo record, and shows configured-not-applied', async () => {
    const t = setup((call) =>
      call.file === 'docker'
        ? { code: 1, stderr: 'Error: failed to restart Docker Desktop: timeout\n' }
        : new Error('no fallback expected'),
    );
    await expect(configureEngine(t.adapter, URL, t.opts)).rejects.toThrow(
      /docker-desktop is configured but the change was not applied: docker desktop restart failed: Error: failed to restart Docker Desktop: timeout; `drpc configure --engine docker-desktop --undo` reverts/,
    );
    expect(await t.undo.records('docker-desktop')).toHaveLength(1);
    expect((await engineReport(t.adapter, URL)).state).toBe('configured-not-applied');
    expect(t.runner.commands()).toEqual(['docker desktop restart']);
  });

  it('says so when the app does not quit, or the engine does not come back', async () => {
    const stuck = setup((call) =>
      call.args[1] === 'application "Docker" is running'
        ? { stdout: 'true\n' }
        : call.file === 'docker'
          ? enoent('docker')
          : { code: 0 },
    );
    await expect(configureEngine(stuck.adapter, URL, stuck.opts)).rejects.toThrow(
      /Docker Desktop did not quit within 60 s/,
    );

    const dead = setup((call, engine) => {
      if (call.file === 'docker') {
        engine.stop();
        return { code: 0 };
      }
      return { code: 0 };
    });
    await expect(configureEngine(dead.adapter, URL, dead.opts)).rejects.toThrow(
      /did not answer at .*docker\.sock within 180 s/,
    );
  });

  it('refuses a mirror on a LAN address before touching anything, and says why', async () => {
    const t = setup(() => new Error('nothing may run'), '{}');
    await expect(configureEngine(t.adapter, 'http://192.168.1.20:5000', t.opts)).rejects.toThrow(
      /speaks plain HTTP only to loopback hosts .* use http:\/\/localhost:PORT/,
    );
    expect(readFileSync(t.file, 'utf8')).toBe('{}');
    expect(t.runner.calls).toEqual([]);
    expect(() => t.adapter.checkMirrorUrl('http://127.0.0.1:5000')).not.toThrow();
    expect(() => t.adapter.checkMirrorUrl('http://[::1]:5000')).not.toThrow();
  });

  it('leaves an invalid daemon.json byte for byte and reports where it is broken', async () => {
    const t = setup(desktopCli, '{ "debug": true,, }');
    await expect(configureEngine(t.adapter, URL, t.opts)).rejects.toMatchObject({
      code: 'ENGINE_CONFIG',
      details: { reason: 'INVALID_JSON', line: 1 },
    });
    expect(readFileSync(t.file, 'utf8')).toBe('{ "debug": true,, }');
    expect(t.runner.calls).toEqual([]);
  });
});
