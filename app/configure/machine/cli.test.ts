// The docker-machine wrapper against the stand-in executable (real child processes) whose machines'
// engine is the test bed's dockerd over TLS: parsing, the TLS connection, and each documented failure.
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { standInEnv } from '../../../testbed/docker-machine/index.js';
import { tempDir, testbed, uniqueName, describeWithEngineControl } from '../../../testbed/helpers.js';
import { processRunner } from '../runner.js';
import { recordingRunner } from '../testing.js';
import { createArgs, DockerMachine } from './cli.js';
import { connectMachine } from './connection.js';

function machineCli(env: NodeJS.ProcessEnv): DockerMachine {
  return new DockerMachine({
    env,
    runner: (file, args, opts) => processRunner(file, args, { env, ...opts }),
  });
}

describeWithEngineControl(
  'docker-machine wrapper (stand-in docker-machine, real TLS engine)',
  () => {
    let dm: DockerMachine;
    let env: NodeJS.ProcessEnv;
    const a = uniqueName('dm-a');
    const b = uniqueName('dm-b');

    beforeAll(async () => {
      // No daemonJson: booting these machines leaves the shared engine's configuration alone.
      env = standInEnv(tempDir('drpc-machines-'), {
        dockerHost: testbed().tlsHost,
        certDir: testbed().tlsCertDir,
        ip: '127.0.0.1',
      });
      dm = machineCli(env);
      await dm.create(a, { driver: 'virtualbox' });
      await dm.create(b, { driver: 'xhyve' });
    });

    it('lists machines with the documented template fields, and finds them by name', async () => {
      const list = await dm.ls();
      expect(list.map((m) => [m.name, m.state, m.url, m.driver, m.error])).toEqual([
        [a, 'Running', testbed().tlsHost, 'virtualbox', ''],
        [b, 'Running', testbed().tlsHost, 'xhyve', ''],
      ]);
      // Asked of the engine over TLS, as the real one does.
      expect(list[0]!.dockerVersion).toMatch(/^v\d+\.\d+/);
      expect(await dm.exists(a)).toBe(true);
      expect(await dm.exists('nope')).toBe(false);
      expect(await dm.status(a)).toBe('Running');
      expect(await dm.ip(a)).toBe('127.0.0.1');
      expect(await dm.version()).toMatch(/^docker-machine version 0\.16\.2/);
    });

    it('connects to a machine engine with TLS from `env` (DOCKER_CERT_PATH ca/cert/key)', async () => {
      const env = await dm.env(a);
      expect(env).toMatchObject({
        DOCKER_TLS_VERIFY: '1',
        DOCKER_HOST: testbed().tlsHost,
        DOCKER_MACHINE_NAME: a,
      });
      expect(env.DOCKER_CERT_PATH).toMatch(new RegExp(`machines/${a}$`));
      const conn = await connectMachine(dm, a);
      expect(conn.host).toBe('127.0.0.1');
      expect(conn.description).toBe(`docker-machine ${a}: ${testbed().tlsHost} (TLS)`);
      expect((await conn.docker.version()).ApiVersion).toMatch(/^1\.\d+/);
    });

    it('checks machine names before any process runs', async () => {
      const runner = recordingRunner(() => ({ code: 0 }));
      const strict = new DockerMachine({ runner });
      for (const name of ['../etc', '-rf', 'a b', 'x;rm -rf /', '', 'under_score', 'a'.repeat(64)]) {
        await expect(strict.status(name)).rejects.toMatchObject({
          code: 'INVALID_INPUT',
          details: { reason: 'BAD_NAME' },
        });
      }
      expect(() =>
        createArgs('ok', { driver: 'virtualbox', driverOptions: { '--engine-opt': 'x' } }),
      ).toThrow(/not a driver option/);
      expect(() => createArgs('ok', { driver: 'virt box' })).toThrow(/not a driver name/);
      expect(runner.calls).toEqual([]);
    });

    it('builds create arguments as one array, driver values glued to their flag', () => {
      expect(
        createArgs('reg', {
          driver: 'xhyve',
          driverOptions: { 'xhyve-experimental-nfs-share': true, 'xhyve-memory-size': '2048 --evil' },
          insecureRegistries: ['localhost:5000'],
          registryMirrors: ['http://localhost:5000'],
        }),
      ).toEqual([
        'create',
        '--driver',
        'xhyve',
        '--xhyve-experimental-nfs-share',
        '--xhyve-memory-size=2048 --evil',
        '--engine-insecure-registry',
        'localhost:5000',
        '--engine-registry-mirror',
        'http://localhost:5000',
        'reg',
      ]);
    });

    it('says clearly: not installed, no such machine, driver missing, VM not running', async () => {
      const none = machineCli({ ...env, PATH: join(tempDir(), 'empty') });
      await expect(none.ls()).rejects.toMatchObject({
        details: { reason: 'NOT_INSTALLED' },
        message: expect.stringMatching(/docker-machine is not installed/),
      });

      // The real CLI's own words and exit code, then ours.
      const raw = await dm.run(['status', 'nope']);
      expect(raw.code).toBe(1);
      expect(raw.stderr).toBe(
        'Docker machine "nope" does not exist. Use "docker-machine ls" to list machines. Use "docker-machine create" to add a new one.\n',
      );
      await expect(dm.status('nope')).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        details: { reason: 'MACHINE_NOT_FOUND' },
      });
      await expect(dm.ip('nope')).rejects.toThrow(/docker-machine has no machine "nope"/);

      await expect(dm.create(uniqueName('dm-c'), { driver: 'parallels' })).rejects.toMatchObject({
        details: { reason: 'DRIVER_MISSING' },
        message: expect.stringMatching(
          /driver "parallels" is not installed \(docker-machine-driver-parallels is not on PATH\)/,
        ),
      });
      await expect(dm.create(a, { driver: 'virtualbox' })).rejects.toMatchObject({
        details: { reason: 'MACHINE_EXISTS' },
      });

      expect((await dm.run(['stop', b])).code).toBe(0);
      for (const call of [() => dm.ip(b), () => dm.env(b), () => dm.ssh(b, 'true')]) {
        await expect(call()).rejects.toMatchObject({
          code: 'ENGINE_UNREACHABLE',
          details: { reason: 'NOT_RUNNING' },
          message: expect.stringMatching(
            new RegExp(`machine "${b}" is not running: start it with \`docker-machine start ${b}\``),
          ),
        });
      }
      expect((await dm.ls()).find((m) => m.name === b)).toMatchObject({
        state: 'Stopped',
        url: '',
        dockerVersion: 'Unknown',
      });
    });

    it('passes a failing remote command back as its result, not as an error', async () => {
      const r = await dm.ssh(a, 'echo out; echo err >&2; exit 3');
      expect(r).toEqual({ code: 1, stdout: 'out\n', stderr: 'err\nexit status 3\n' });
    });
  },
  "drives the test bed's TLS dockerd as a docker-machine VM",
);
