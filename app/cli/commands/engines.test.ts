// drpc engines | configure | machine, end to end on the test bed: each command a fresh runCli (a later
// process), the undo records in settings.json between them.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { standInEnv } from '../../../testbed/docker-machine/index.js';
import { readPid, reloadDockerd, setMirrors } from '../../../testbed/dockerd.js';
import {
  freePort,
  pull,
  removeLocalImages,
  tempDir,
  testbed,
  testDocker,
  uniqueName,
  describeWithEngineControl,
} from '../../../testbed/helpers.js';
import { paths } from '../../../testbed/layout.js';
import { mirrorsOf } from '../../configure/engines/engine-info.js';
import { contextDirName } from '../../docker/context.js';
import { readCatalog } from '../../mirror/http.js';
import { runCli } from '../run.js';

function cli(env: NodeJS.ProcessEnv) {
  return async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env });
    return { code, out: out.join('\n'), err: err.join('\n'), json: () => JSON.parse(out.join('\n')) };
  };
}

describeWithEngineControl(
  'drpc engines / configure / machine',
  () => {
    const docker = testDocker();
    let home: string;
    let run: ReturnType<typeof cli>;
    let port: number;
    let original: Buffer;
    const name = uniqueName('drpc-eng');
    const linux = () => ['--daemon-json', testbed().daemonJson, '--pid', String(readPid())];

    beforeAll(async () => {
      original = readFileSync(testbed().daemonJson);
      home = tempDir('drpc-eng-');
      port = await freePort();
      run = cli({ DRPC_HOME: home, DOCKER_HOST: testbed().dockerHost, PATH: process.env.PATH, HOME: home });
      const up = await run(
        'up',
        '--name',
        name,
        '--port',
        String(port),
        '--upstream',
        testbed().upstreamUrl,
        '--network',
        testbed().network,
      );
      expect(up.code, up.err).toBe(0);
    });
    afterAll(async () => {
      expect((await run('rm', '--json')).json()).toEqual({ removed: true });
      await removeLocalImages(docker, ['library/twotags:v1']);
      writeFileSync(
        testbed().daemonJson,
        JSON.stringify({ ...JSON.parse(original.toString()), 'insecure-registries': [] }),
      );
      await reloadDockerd();
      writeFileSync(testbed().daemonJson, original);
      await setMirrors([]);
    });

    it('configure --engine linux-dockerd: edits, reloads, verifies; a pull lands in the catalog; --undo from a later run restores it', async () => {
      await setMirrors([]);
      const before = readFileSync(testbed().daemonJson);
      const listed = await run('engines', '--json', ...linux());
      expect(listed.code).toBe(0);
      expect(listed.json().engines).toEqual([
        expect.objectContaining({
          name: 'linux-dockerd',
          detected: true,
          state: 'not-configured',
          mirrorUrl: `http://localhost:${port}`,
        }),
      ]);
      expect(listed.json().notes).toContain(
        'registry-mirrors applies to Docker Hub images only: images from other registries (ghcr.io, quay.io, …) are never mirrored.',
      );

      const conf = await run('configure', '--engine', 'linux-dockerd', ...linux());
      expect(conf.code, conf.err).toBe(0);
      expect(conf.out).toMatch(
        new RegExp(`linux-dockerd: using-mirror \\(verified: the engine lists http://localhost:${port}\\)`),
      );
      expect(conf.out).toMatch(/Docker Hub images only/);
      expect(conf.err).toMatch(new RegExp(`applied: kill -HUP ${readPid()}`));
      expect(await mirrorsOf(docker)).toEqual([`http://localhost:${port}/`]);
      expect(
        JSON.parse(readFileSync(join(home, 'settings.json'), 'utf8')).engineUndo['linux-dockerd'],
      ).toHaveLength(1);

      await removeLocalImages(docker, ['library/twotags:v1']);
      await pull(docker, 'library/twotags:v1');
      expect(await readCatalog(`http://127.0.0.1:${port}`)).toContain('library/twotags');

      const human = await run('engines', ...linux());
      expect(human.out).toMatch(
        /linux-dockerd: using-mirror \(verified through the engine\)\n {2}found: dockerd pid \d+ \(given\)/,
      );
      expect(human.out).toMatch(/undo: 1 change\(s\) recorded/);

      const undo = await run('configure', '--undo', '--json', ...linux());
      expect(undo.code).toBe(0);
      expect(undo.json().undone).toEqual([
        expect.objectContaining({ engine: 'linux-dockerd', undone: 1, verified: true }),
      ]);
      expect(readFileSync(testbed().daemonJson)).toEqual(before);
      expect(await mirrorsOf(docker)).toEqual([]);
      expect(JSON.parse(readFileSync(join(home, 'settings.json'), 'utf8')).engineUndo).toBeUndefined();

      const nothing = await run('configure', '--undo', '--engine', 'linux-dockerd', ...linux());
      expect(nothing.code).toBe(2);
      expect(nothing.err).toMatch(/nothing to undo for linux-dockerd/);
    });

    it('finds the engine the way the docker CLI does (DOCKER_HOST, then the current context); undo needs no flags', async () => {
      // An original mirror the undo has to bring back, as the engine reports it.
      const original = 'http://127.0.0.1:9/';
      await setMirrors([original]);
      const before = readFileSync(testbed().daemonJson);
      const listed = await run('engines', '--json');
      expect(listed.code, listed.err).toBe(0);
      expect(listed.json().engines).toEqual([
        expect.objectContaining({
          name: 'linux-dockerd',
          detected: true,
          how: `dockerd pid ${readPid()} serving ${testbed().dockerHost} (DOCKER_HOST)`,
          configFile: testbed().daemonJson,
          state: 'not-configured',
          engineMirrors: [original],
        }),
      ]);

      // No DOCKER_HOST: the current context of ~/.docker/config.json names the engine.
      const dockerHome = tempDir('drpc-eng-ctx-');
      const meta = join(dockerHome, '.docker', 'contexts', 'meta', contextDirName('testbed'));
      mkdirSync(meta, { recursive: true });
      writeFileSync(
        join(meta, 'meta.json'),
        JSON.stringify({
          Name: 'testbed',
          Metadata: {},
          Endpoints: { docker: { Host: testbed().dockerHost } },
        }),
      );
      writeFileSync(
        join(dockerHome, '.docker', 'config.json'),
        JSON.stringify({ currentContext: 'testbed' }),
      );
      const inContext = cli({ DRPC_HOME: home, PATH: process.env.PATH, HOME: dockerHome });
      const ctxListed = await inContext('engines', '--json');
      expect(ctxListed.json().engines).toEqual([
        expect.objectContaining({
          name: 'linux-dockerd',
          how: `dockerd pid ${readPid()} serving ${testbed().dockerHost} (docker context testbed)`,
        }),
      ]);

      // configure with no --engine: the one engine found.
      const conf = await inContext('configure');
      expect(conf.code, conf.err).toBe(0);
      expect(await mirrorsOf(docker)).toEqual([original, `http://localhost:${port}/`]);
      expect(JSON.parse(readFileSync(join(home, 'settings.json'), 'utf8')).engineUndo).toEqual({
        'linux-dockerd': [
          expect.objectContaining({
            apply: { pidFile: paths.pidfile, pid: readPid(), host: testbed().dockerHost },
            mirrorsBefore: [original],
          }),
        ],
      });

      // A later run with no flags, no DOCKER_HOST and no context: the record knows the file, the
      // pidfile and the socket.
      const bare = cli({ DRPC_HOME: home, PATH: process.env.PATH, HOME: tempDir('drpc-eng-bare-') });
      expect((await bare('engines', '--json')).json().engines).toEqual([
        expect.objectContaining({
          name: 'linux-dockerd',
          how: `dockerd pid ${readPid()} (named by the undo record)`,
          configFile: testbed().daemonJson,
          state: 'using-mirror',
          undoRecords: 1,
        }),
      ]);
      const undo = await bare('configure', '--undo', '--json');
      expect(undo.code, undo.out).toBe(0);
      expect(undo.json().undone).toEqual([
        expect.objectContaining({ engine: 'linux-dockerd', verified: true, engineMirrors: [original] }),
      ]);
      expect(readFileSync(testbed().daemonJson)).toEqual(before);
      expect(await mirrorsOf(docker)).toEqual([original]);
      expect(JSON.parse(readFileSync(join(home, 'settings.json'), 'utf8')).engineUndo).toBeUndefined();
      await setMirrors([]);
    });

    it('refuses unknown engines and bad values with exit 2', async () => {
      const unknown = await run('configure', '--engine', 'podman');
      expect(unknown.code).toBe(2);
      expect(unknown.err).toMatch(/unknown engine "podman": use docker-desktop, linux-dockerd/);
      expect((await run('configure', '--engine', 'linux-dockerd', '--pid', 'abc')).code).toBe(2);
      expect((await run('configure', '--engine', 'machine:../x')).err).toMatch(/not a valid machine name/);
    });

    it('machine create-registry | ls | flags | configure, with the stand-in docker-machine', async () => {
      const storage = tempDir('drpc-eng-machines-');
      const env = standInEnv(
        storage,
        {
          dockerHost: testbed().tlsHost,
          certDir: testbed().tlsCertDir,
          ip: '127.0.0.1',
          daemonJson: testbed().daemonJson,
          pidfile: paths.pidfile,
        },
        // Its own settings: these commands save another port and container name.
        {
          DRPC_HOME: tempDir('drpc-eng-home-'),
          DOCKER_HOST: testbed().dockerHost,
          PATH: process.env.PATH,
          HOME: home,
        },
      );
      const m = cli(env);
      const reg = uniqueName('reg');
      const regPort = String(await freePort());
      const mirrorName = uniqueName('drpc-eng-reg');
      const common = [
        ...['--port', regPort, '--name', mirrorName, '--registry-machine', reg],
        ...['--upstream', testbed().upstreamUrl, '--network', testbed().network],
      ];
      try {
        const created = await m(
          'machine',
          'create-registry',
          reg,
          '--driver',
          'xhyve',
          '--driver-opt',
          'xhyve-memory-size=2048',
          '--machine-data-dir',
          tempDir('drpc-vm-'),
          ...common,
        );
        expect(created.code, created.err).toBe(0);
        expect(created.out).toBe(
          [
            `${reg} (127.0.0.1): the mirror is running`,
            `other machines use it as http://127.0.0.1:${regPort} (drpc machine configure NAME)`,
            `new machines: docker-machine create --driver xhyve --engine-registry-mirror http://127.0.0.1:${regPort} --engine-insecure-registry 127.0.0.1:${regPort} NAME`,
          ].join('\n'),
        );
        const again = await m('machine', 'create-registry', reg, ...common);
        expect(again.code).toBe(2);
        expect(again.err).toMatch(/machine ".*" exists: removing it deletes the VM/);

        const flags = await m('machine', 'flags', ...common);
        expect(flags.out.split('\n')[0]).toBe(
          `--engine-registry-mirror http://127.0.0.1:${regPort} --engine-insecure-registry 127.0.0.1:${regPort}`,
        );

        const first = await m('machine', 'ls', '--json', ...common);
        expect(first.json().machines).toEqual([
          expect.objectContaining({
            name: reg,
            registryMachine: true,
            state: 'Running',
            mirror: 'using-mirror',
          }),
        ]);

        const w = uniqueName('w');
        expect((await m('machine', 'configure', 'nope', ...common)).err).toMatch(
          /docker-machine has no machine "nope"/,
        );
        const dm = await import('../../configure/machine/cli.js');
        await new dm.DockerMachine({ env }).create(w, { driver: 'virtualbox' });
        // The stand-in's machines share one engine: booting w gave it w's (empty) flags, so the registry
        // machine's profile is now configured-not-applied, as the state says.
        const ls = await m('machine', 'ls', '--json', ...common);
        expect(ls.json().machines).toEqual([
          expect.objectContaining({ name: reg, registryMachine: true, mirror: 'configured-not-applied' }),
          expect.objectContaining({
            name: w,
            registryMachine: false,
            mirror: 'not-configured',
            mirrorUrl: `http://127.0.0.1:${regPort}`,
          }),
        ]);
        const conf = await m('machine', 'configure', w, ...common);
        expect(conf.code, conf.err).toBe(0);
        expect(conf.out).toMatch(
          new RegExp(
            `machine:${w}: using-mirror \\(verified: its engine lists http://127.0.0.1:${regPort}\\)`,
          ),
        );
        const listed = await m('engines', '--json', ...common, ...linux());
        expect(listed.json().engines.find((e: { name: string }) => e.name === `machine:${w}`)).toMatchObject({
          state: 'using-mirror',
        });
        const undone = await m('machine', 'configure', w, '--undo', ...common);
        expect(undone.code, undone.err).toBe(0);
        expect(undone.out).toBe(`machine:${w}: no longer uses the mirror (verified)`);

        const missing = await cli({ ...env, PATH: join(tempDir(), 'none') })('machine', 'ls');
        expect(missing.code).toBe(3);
        expect(missing.err).toMatch(/docker-machine is not installed/);
      } finally {
        await docker
          .getContainer(mirrorName)
          .remove({ force: true })
          .catch(() => {});
      }
    });
  },
  'configures the engine and drives a TLS engine as a docker-machine VM',
);
