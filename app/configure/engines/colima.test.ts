// Colima cannot run here: real files, an engine that reads them when it starts, and the
// exact commands they would run, recorded (with their failures).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { memoryStore } from '../../settings/json-file.js';
import { tempDir } from '../../../testbed/helpers.js';
import { enoent, fakeClock, recordingRunner, VmEngine, type Answer, type RecordedCall } from '../testing.js';
import { EngineUndoStore } from '../undo-store.js';
import { Colima, colimaProfiles } from './colima.js';
import { configureEngine, engineReport, undoEngine } from './configure-engine.js';

const URL = 'http://localhost:5000';
const COLIMA_YAML = `# CPUs.\ncpu: 2\nkubernetes:\n  enabled: false\n  k3sArgs: [--disable=traefik]\n\n# daemon.json settings.\n# Default: {}\ndocker: {}\n\nenv: {}\n`;

function colimaSetup(
  script: (call: RecordedCall, engine: VmEngine) => Answer | undefined,
  yaml = COLIMA_YAML,
) {
  const home = tempDir('drpc-colima-');
  const colimaHome = join(home, 'colima-home');
  for (const p of ['default', 'work', '_lima']) mkdirSync(join(colimaHome, p), { recursive: true });
  const file = join(colimaHome, 'work', 'colima.yaml');
  writeFileSync(file, yaml);
  writeFileSync(join(colimaHome, 'default', 'colima.yaml'), COLIMA_YAML);
  const engine = new VmEngine(
    () => (parse(readFileSync(file, 'utf8')).docker?.['registry-mirrors'] as string[]) ?? [],
  );
  engine.start();
  const runner = recordingRunner((call) => script(call, engine) ?? { code: 0 });
  const clock = fakeClock();
  const deps = { home, env: { COLIMA_HOME: colimaHome }, runner, ...clock, probeAt: () => engine.probe };
  const undo = new EngineUndoStore(memoryStore());
  return { file, engine, runner, deps, adapter: new Colima('work', deps), opts: { undo, ...clock }, undo };
}

/** `colima restart PROFILE`: stops the VM and starts it with the profile's colima.yaml. */
const colimaCli = (call: RecordedCall, engine: VmEngine): Answer | undefined => {
  if (call.file === 'colima' && call.args[0] === 'restart') {
    engine.stop();
    engine.start();
  }
  return undefined;
};

describe('Colima adapter', () => {
  it('finds the profiles under $COLIMA_HOME that have a colima.yaml, not its own _ directories', () => {
    const t = colimaSetup(colimaCli);
    expect(colimaProfiles(t.deps)).toEqual(['default', 'work']);
    expect(new Colima('work', t.deps).name).toBe('colima:work');
    expect(() => new Colima('../etc', t.deps)).toThrow(/invalid Colima profile name/);
  });

  it('edits docker.registry-mirrors, runs `colima restart work`, verifies, and undoes to the same bytes', async () => {
    const t = colimaSetup(colimaCli);
    const out = await configureEngine(t.adapter, URL, t.opts);
    expect(out).toMatchObject({ changed: true, applied: 'colima restart work', verified: true });
    expect(t.runner.calls.map((c) => [c.file, ...c.args])).toEqual([['colima', 'restart', 'work']]);
    const text = readFileSync(t.file, 'utf8');
    expect(text).toContain(
      '# daemon.json settings.\n# Default: {}\ndocker:\n  registry-mirrors:\n    - http://localhost:5000\n',
    );
    expect(
      text.startsWith('# CPUs.\ncpu: 2\nkubernetes:\n  enabled: false\n  k3sArgs: [--disable=traefik]\n'),
    ).toBe(true);
    expect((await engineReport(t.adapter, URL)).state).toBe('using-mirror');

    await undoEngine(t.adapter, t.opts);
    expect(readFileSync(t.file, 'utf8')).toBe(COLIMA_YAML);
    expect(t.engine.mirrors).toEqual([]);
    expect(t.runner.commands()).toEqual(['colima restart work', 'colima restart work']);
  });

  it('after the user edited the file, undo takes out only our entry', async () => {
    const t = colimaSetup(colimaCli);
    await configureEngine(t.adapter, URL, t.opts);
    writeFileSync(t.file, readFileSync(t.file, 'utf8').replace('cpu: 2', 'cpu: 4'));
    const r = await undoEngine(t.adapter, t.opts);
    expect(r.steps[0]).toMatch(/changed since; took out only http:\/\/localhost:5000/);
    expect(readFileSync(t.file, 'utf8')).toBe(COLIMA_YAML.replace('cpu: 2', 'cpu: 4'));
  });

  it('leaves a colima.yaml it cannot parse byte for byte, and runs nothing', async () => {
    const broken = 'cpu: 2\ndocker: {registry-mirrors: [http://x\n';
    const t = colimaSetup(colimaCli, broken);
    await expect(configureEngine(t.adapter, URL, t.opts)).rejects.toThrow(
      /colima\.yaml is not valid YAML \(line \d+, column \d+\).*left as it is/,
    );
    expect(readFileSync(t.file, 'utf8')).toBe(broken);
    expect(t.runner.calls).toEqual([]);
  });

  it('reports a failed restart and a missing colima command', async () => {
    const failing = colimaSetup((call) =>
      call.file === 'colima'
        ? { code: 1, stderr: 'FATA[0003] error starting vm: exit status 1\n' }
        : undefined,
    );
    await expect(configureEngine(failing.adapter, URL, failing.opts)).rejects.toThrow(
      /colima:work is configured but the change was not applied: colima restart work failed: FATA\[0003\] error starting vm/,
    );
    expect(await failing.undo.records('colima:work')).toHaveLength(1);
    const missing = colimaSetup(() => enoent('colima'));
    await expect(configureEngine(missing.adapter, URL, missing.opts)).rejects.toMatchObject({
      details: { reason: 'NOT_INSTALLED' },
    });
  });
});
