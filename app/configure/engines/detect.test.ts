// Detection on a Mac that cannot exist here: sockets and directories stand in (an injected `exists`
// and a temporary home), docker-machine answers as its documented `ls --format` and `ip` do.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../testbed/helpers.js';
import { DockerMachine } from '../machine/cli.js';
import { enoent, recordingRunner } from '../testing.js';
import { detectEngines, engineByName, findEngines } from './detect.js';

const LS =
  'registry-proxy-cache\tRunning\ttcp://192.168.99.100:2376\tvirtualbox\tv19.03.12\t\n' +
  'dev\tRunning\ttcp://192.168.99.101:2376\tvirtualbox\tv19.03.12\t\n' +
  'old\tStopped\t\tvirtualbox\tUnknown\t\n';

function mac(machines: 'installed' | 'missing') {
  const home = tempDir('drpc-mac-');
  mkdirSync(join(home, '.colima', 'default'), { recursive: true });
  writeFileSync(join(home, '.colima', 'default', 'colima.yaml'), 'docker: {}\n');
  const present = new Set([
    join(home, '.docker', 'run', 'docker.sock'),
    join(home, '.colima', 'default', 'colima.yaml'),
  ]);
  const runner = recordingRunner((call) => {
    if (call.file !== 'docker-machine') return new Error(`unexpected ${call.file}`);
    if (machines === 'missing') return enoent('docker-machine');
    if (call.args[0] === 'ls') return { stdout: LS };
    if (call.args.join(' ') === 'ip registry-proxy-cache') return { stdout: '192.168.99.100\n' };
    return new Error(`unexpected docker-machine ${call.args.join(' ')}`);
  });
  const noEngine = {
    info: () => Promise.reject(new Error('down')),
    ping: () => Promise.reject(new Error('down')),
  };
  return {
    runner,
    opts: {
      mirrorUrl: 'http://localhost:5000',
      port: 5000,
      home,
      env: {},
      platform: 'darwin' as const,
      exists: (p: string) => present.has(p),
      probeAt: () => noEngine,
      dockerMachine: new DockerMachine({ runner }),
    },
  };
}

describe('engine detection', () => {
  it('finds Docker Desktop by its socket, Colima by its profile, and docker-machine VMs; not OrbStack or Linux dockerd', async () => {
    const { opts, runner } = mac('installed');
    const { engines, notes } = await findEngines(opts);
    const found = engines.map((e) => [e.adapter.name, e.detection.detected, e.mirrorUrl]);
    expect(found).toEqual([
      ['docker-desktop', true, 'http://localhost:5000'],
      ['linux-dockerd', false, 'http://localhost:5000'],
      ['orbstack', false, 'http://localhost:5000'],
      ['colima:default', true, 'http://localhost:5000'],
      // The registry machine runs the mirror: it uses its own loopback; the others use its address.
      ['machine:registry-proxy-cache', true, 'http://localhost:5000'],
      ['machine:dev', true, 'http://192.168.99.100:5000'],
      ['machine:old', true, 'http://192.168.99.100:5000'],
    ]);
    expect(engines[6]!.detection.how).toBe('docker-machine ls: old (virtualbox) is Stopped');
    expect(notes).toEqual([]);
    expect(runner.commands()).toEqual([
      'docker-machine ls --format {{.Name}}\\t{{.State}}\\t{{.URL}}\\t{{.DriverName}}\\t{{.DockerVersion}}\\t{{.Error}}',
      'docker-machine ip registry-proxy-cache',
    ]);
    expect((await detectEngines({ ...opts, dockerMachine: null })).map((e) => e.adapter.name)).toEqual([
      'docker-desktop',
      'colima:default',
    ]);
  });

  it('says docker-machine is not installed instead of failing', async () => {
    const { opts } = mac('missing');
    const { engines, notes } = await findEngines(opts);
    expect(engines.some((e) => e.adapter.kind === 'machine')).toBe(false);
    expect(notes).toEqual(['docker-machine is not installed: no machines']);
  });

  it('resolves the names configure takes', async () => {
    const { opts } = mac('installed');
    expect((await engineByName('colima', opts)).adapter.name).toBe('colima:default');
    expect((await engineByName('colima:work', opts)).adapter.configFile).toBe(
      join(opts.home, '.colima', 'work', 'colima.yaml'),
    );
    expect(await engineByName('machine:dev', opts)).toMatchObject({
      mirrorUrl: 'http://192.168.99.100:5000',
    });
    expect((await engineByName('orbstack', opts)).adapter.configFile).toBe(
      join(opts.home, '.orbstack', 'config', 'docker.json'),
    );
    await expect(engineByName('podman', opts)).rejects.toMatchObject({
      details: { reason: 'UNKNOWN_ENGINE' },
    });
    await expect(engineByName('machine:a b', opts)).rejects.toMatchObject({
      details: { reason: 'BAD_NAME' },
    });
  });
});
