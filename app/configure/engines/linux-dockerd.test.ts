// Linux dockerd for real: the test bed's dockerd runs with --config-file; configure edits that file,
// sends SIGHUP to that pid, and the engine's own info() and a real pull prove it. The production
// defaults (systemd, /var/run/docker.pid) are checked with recorded commands.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPid, reloadDockerd, setMirrors } from '../../../testbed/dockerd.js';
import {
  pull,
  removeLocalImages,
  tempDir,
  testbed,
  testDocker,
  testMirrorSettings,
  describeWithEngineControl,
} from '../../../testbed/helpers.js';
import { readCatalog } from '../../mirror/http.js';
import { Mirror } from '../../mirror/mirror.js';

import { memoryStore } from '../../settings/json-file.js';
import { parseDaemonJson } from '../daemon-json/index.js';
import { enoent, fakeClock, recordingRunner, VmEngine } from '../testing.js';
import { EngineUndoStore, type EngineUndoRecord } from '../undo-store.js';
import { configureEngine, engineReport, undoEngine } from './configure-engine.js';
import { mirrorsOf } from './engine-info.js';
import { LinuxDockerd } from './linux-dockerd.js';

describeWithEngineControl(
  'linux-dockerd on the test bed (real dockerd, real SIGHUP)',
  () => {
    const docker = testDocker();
    let mirror: Mirror;
    let original: Buffer;
    const file = () => testbed().daemonJson;
    const adapter = () => new LinuxDockerd({ configFile: file(), pid: readPid()!, probe: docker });

    beforeAll(async () => {
      original = readFileSync(file());
      const settings = await testMirrorSettings('drpc-linux');
      mirror = new Mirror({ docker, settings });
      expect((await mirror.up()).status.state).toBe('running');
    });
    afterAll(async () => {
      await mirror.remove().catch(() => {});
      // The engine is shared: a local copy left behind would make another test's cold pull a warm one.
      await removeLocalImages(docker, ['library/app-two:latest']);
      writeFileSync(file(), original);
      await setMirrors([]);
    });

    it('configures, reloads and verifies; a pull lands in the catalog; undo restores the file and the engine', async () => {
      await setMirrors([]);
      const before = readFileSync(file());
      const undo = new EngineUndoStore(memoryStore());
      expect((await engineReport(adapter(), mirror.mirrorUrl)).state).toBe('not-configured');

      const out = await configureEngine(adapter(), mirror.mirrorUrl, { undo });
      expect(out).toMatchObject({
        changed: true,
        applied: `kill -HUP ${readPid()}`,
        verified: true,
        state: 'using-mirror',
      });
      expect(parseDaemonJson(readFileSync(file(), 'utf8')).mirrors?.values).toEqual([mirror.mirrorUrl]);
      expect(await mirrorsOf(docker)).toEqual([`${mirror.mirrorUrl}/`]);

      // The proof the seed asks for: pull by the Hub name, and the mirror's catalog has it.
      await removeLocalImages(docker, ['library/app-two:latest']);
      await pull(docker, 'library/app-two:latest');
      expect(await readCatalog(mirror.baseUrl)).toContain('library/app-two');

      const back = await undoEngine(adapter(), { undo });
      expect(back).toMatchObject({ undone: 1, verified: true });
      expect(readFileSync(file())).toEqual(before);
      expect(await mirrorsOf(docker)).toEqual([]);
      expect(await undo.records('linux-dockerd')).toEqual([]);
    });

    it('shows configured-not-applied between the edit and the reload', async () => {
      await setMirrors([]);
      const a = adapter();
      const edit = await a.edit(mirror.mirrorUrl);
      expect((await engineReport(a, mirror.mirrorUrl)).state).toBe('configured-not-applied');
      await a.apply();
      await expect.poll(async () => (await engineReport(a, mirror.mirrorUrl)).state).toBe('using-mirror');
      await a.revert(edit.record!);
      await a.apply();
      await expect.poll(() => mirrorsOf(docker)).toEqual([]);
    });

    it('undoes a file that had no registry-mirrors key byte for byte, and dockerd still drops the mirror', async () => {
      // dockerd keeps its old list when the key vanishes from the file on a reload.
      const without =
        JSON.stringify({ ...JSON.parse(original.toString('utf8')), 'registry-mirrors': undefined }, null, 2) +
        '\n';
      writeFileSync(file(), without);
      await reloadDockerd();
      const undo = new EngineUndoStore(memoryStore());
      expect((await configureEngine(adapter(), mirror.mirrorUrl, { undo })).verified).toBe(true);
      const back = await undoEngine(adapter(), { undo });
      expect(back.verified).toBe(true);
      expect(back.applied).toMatch(/twice/);
      expect(readFileSync(file(), 'utf8')).toBe(without);
      expect(await mirrorsOf(docker)).toEqual([]);
      writeFileSync(file(), original);
      await setMirrors([]);
    });

    it('keeps the undo record until the engine is verified back, so a failed undo can be run again', async () => {
      const before = readFileSync(file());
      const undo = new EngineUndoStore(memoryStore());
      expect((await configureEngine(adapter(), mirror.mirrorUrl, { undo })).verified).toBe(true);
      // The reload is refused, as process.kill documents it for a process of another user (EPERM).
      const refused = new LinuxDockerd({
        configFile: file(),
        pid: readPid()!,
        probe: docker,
        signal: () => {
          throw Object.assign(new Error('kill EPERM'), { code: 'EPERM' });
        },
      });
      await expect(undoEngine(refused, { undo })).rejects.toThrow(/not allowed to signal dockerd/);
      expect(readFileSync(file())).toEqual(before);
      expect(await mirrorsOf(docker)).toEqual([`${mirror.mirrorUrl}/`]);
      expect(await undo.records('linux-dockerd')).toHaveLength(1);

      const again = await undoEngine(adapter(), { undo });
      expect(again).toMatchObject({ verified: true, applied: `kill -HUP ${readPid()}` });
      expect(readFileSync(file())).toEqual(before);
      expect(await mirrorsOf(docker)).toEqual([]);
      expect(await undo.records('linux-dockerd')).toEqual([]);
    });

    it('says so when the dockerd is gone', async () => {
      const dead = new LinuxDockerd({
        configFile: join(tempDir(), 'daemon.json'),
        pid: 2 ** 22 + 7,
        probe: docker,
        validate: false,
      });
      expect(await dead.detect()).toEqual({ detected: false, how: `no process with pid ${2 ** 22 + 7}` });
      await expect(dead.apply()).rejects.toThrow(/dockerd \(pid 4194311\) is not running/);
    });
  },
  "edits the engine's daemon.json and reloads it",
);

describe('linux-dockerd production defaults (recorded: no systemd here)', () => {
  function setup(systemd: boolean) {
    const dir = tempDir('drpc-etc-docker-');
    const configFile = join(dir, 'daemon.json');
    writeFileSync(configFile, '{}\n');
    const pidFile = join(dir, 'docker.pid');
    writeFileSync(pidFile, `${process.pid}\n`);
    const engine = new VmEngine(
      () => parseDaemonJson(readFileSync(configFile, 'utf8')).mirrors?.values ?? [],
    );
    engine.start();
    const signals: Array<[number, string]> = [];
    const runner = recordingRunner((call) => {
      if (!systemd) return enoent('systemctl');
      const line = call.args.join(' ');
      if (line === 'is-active docker') return { stdout: 'active\n' };
      if (line === 'reload docker') engine.start(); // ExecReload sends SIGHUP: dockerd reads the file
      return { code: 0 };
    });
    const adapter = new LinuxDockerd({
      configFile,
      pidFile,
      validate: false,
      runner,
      probe: engine.probe,
      signal: (pid, sig) => {
        signals.push([pid, sig]);
        engine.start();
      },
      ...fakeClock(),
    });
    return { adapter, runner, signals };
  }

  it('undoes on the dockerd its record names (file, live pid from its pidfile, socket), whatever this run found', () => {
    const dir = tempDir('drpc-record-');
    const pidFile = join(dir, 'dockerd.pid');
    writeFileSync(pidFile, `${process.pid}\n`); // restarted since: the recorded pid is gone
    const sockets: string[] = [];
    const engine = new VmEngine(() => []);
    const now = new LinuxDockerd({
      configFile: '/elsewhere/daemon.json',
      pid: 2 ** 22 + 9,
      foundBy: 'dockerd pid 4194313 serving unix:///other.sock (DOCKER_HOST)',
      host: 'unix:///other.sock',
      validate: false,
      probeAt: (path) => (sockets.push(path), engine.probe),
    });
    const record: EngineUndoRecord = {
      kind: 'daemon-json',
      at: '2026-01-01T00:00:00.000Z',
      undo: {
        version: 1,
        path: join(dir, 'daemon.json'),
        mirror: 'http://localhost:5000',
        before: null,
        afterSha256: 'a'.repeat(64),
      },
      apply: { pidFile, pid: 2 ** 22 + 7, host: 'unix:///tb/docker.sock' },
    };
    const a = now.forRecord(record);
    expect(a.configFile).toBe(join(dir, 'daemon.json'));
    expect(a.plan()[1]).toBe(`kill -HUP ${process.pid}`);
    expect(sockets).toEqual(['/tb/docker.sock']);
    // No pid recorded: the system's dockerd, reloaded as usual (systemd, else its pidfile).
    const system = now.forRecord({ ...record, apply: { pidFile, host: 'unix:///var/run/docker.sock' } });
    expect(system.plan()[1]).toBe(`systemctl reload docker (or kill -HUP the pid in ${pidFile})`);
  });

  it('reloads with `systemctl reload docker` when systemd runs docker', async () => {
    const t = setup(true);
    const out = await configureEngine(t.adapter, 'http://localhost:5000', {
      undo: new EngineUndoStore(memoryStore()),
      ...fakeClock(),
    });
    expect(out).toMatchObject({ applied: 'systemctl reload docker', verified: true });
    expect(t.runner.commands()).toEqual(['systemctl is-active docker', 'systemctl reload docker']);
    expect(t.signals).toEqual([]);
  });

  it('signals the pid in the pidfile otherwise', async () => {
    const t = setup(false);
    const out = await configureEngine(t.adapter, 'http://localhost:5000', {
      undo: new EngineUndoStore(memoryStore()),
      ...fakeClock(),
    });
    expect(out).toMatchObject({ applied: `kill -HUP ${process.pid}`, verified: true });
    expect(t.signals).toEqual([[process.pid, 'SIGHUP']]);
  });
});
