// OrbStack cannot run here: its real file, an engine that reads it when it starts, and the exact
// commands it would run, recorded (with their failures).
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../settings/json-file.js';
import { tempDir } from '../../../testbed/helpers.js';
import { parseDaemonJson } from '../daemon-json/index.js';
import { enoent, fakeClock, recordingRunner, VmEngine, type Answer, type RecordedCall } from '../testing.js';
import { EngineUndoStore } from '../undo-store.js';
import { configureEngine } from './configure-engine.js';
import { OrbStack } from './orbstack.js';

const URL = 'http://localhost:5000';

describe('OrbStack adapter', () => {
  function orbSetup(script: (call: RecordedCall, engine: VmEngine) => Answer | undefined) {
    const home = tempDir('drpc-orb-');
    const file = join(home, '.orbstack', 'config', 'docker.json');
    mkdirSync(join(home, '.orbstack', 'config'), { recursive: true });
    const engine = new VmEngine(() => {
      try {
        return parseDaemonJson(readFileSync(file, 'utf8')).mirrors?.values ?? [];
      } catch {
        return [];
      }
    });
    engine.start();
    const runner = recordingRunner((call) => script(call, engine) ?? { code: 0 });
    const clock = fakeClock();
    const adapter = new OrbStack({ home, platform: 'darwin', runner, ...clock, probeAt: () => engine.probe });
    return {
      file,
      runner,
      engine,
      adapter,
      opts: { undo: new EngineUndoStore(memoryStore()), ...clock },
      home,
    };
  }
  const orbRestart = (call: RecordedCall, engine: VmEngine): Answer | undefined => {
    if (call.args.join(' ') === 'restart docker') {
      engine.stop();
      engine.start();
    }
    return undefined;
  };

  it('edits ~/.orbstack/config/docker.json and runs `orb restart docker`', async () => {
    const t = orbSetup(orbRestart);
    const out = await configureEngine(t.adapter, URL, t.opts);
    expect(out).toMatchObject({ applied: 'orb restart docker', verified: true });
    expect(JSON.parse(readFileSync(t.file, 'utf8'))).toEqual({ 'registry-mirrors': [URL] });
    expect(t.runner.commands()).toEqual(['orb restart docker']);
  });

  it('uses ~/.orbstack/bin/orb when orb is not on PATH, and reports its failure', async () => {
    const t = orbSetup((call, engine) => (call.file === 'orb' ? enoent('orb') : orbRestart(call, engine)));
    await configureEngine(t.adapter, URL, t.opts);
    expect(t.runner.commands()).toEqual(['orb restart docker', `${t.home}/.orbstack/bin/orb restart docker`]);

    const failing = orbSetup(() => ({ code: 1, stderr: 'Error: OrbStack is not running\n' }));
    await expect(configureEngine(failing.adapter, URL, failing.opts)).rejects.toThrow(
      /orb restart docker failed: Error: OrbStack is not running/,
    );
    const none = orbSetup(() => enoent('orb'));
    await expect(configureEngine(none.adapter, URL, none.opts)).rejects.toThrow(
      /the orb command was not found/,
    );
  });
});
