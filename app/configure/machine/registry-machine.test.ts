// The seed's multi-machine setup end to end: the stand-in docker-machine's "VMs" are the test bed's
// real dockerd over TCP with mutual TLS (certificates made by the test bed), so the registry machine's
// mirror really starts through TLS, and pulls through it really land in its catalog.
import { configPathFor, registryMajorOf } from '../../mirror/registry-config.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { machineRoot, standInEnv } from '../../../testbed/docker-machine/index.js';
import { reloadDockerd, setMirrors } from '../../../testbed/dockerd.js';
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
import { readCatalog } from '../../mirror/http.js';
import { defaultMirrorSettings, type MirrorSettings } from '../../mirror/settings.js';
import { memoryStore } from '../../settings/json-file.js';
import { configureEngine, undoEngine } from '../engines/configure-engine.js';
import { mirrorsOf } from '../engines/engine-info.js';
import { processRunner } from '../runner.js';
import { EngineUndoStore } from '../undo-store.js';
import { DockerMachine } from './cli.js';
import { connectMachine } from './connection.js';
import { MachineEngine } from './machine-engine.js';
import { createRegistryMachine, type RegistryMachineResult } from './registry-machine.js';

describeWithEngineControl(
  'registry machine and machines that use it (stand-in docker-machine, real TLS engine)',
  () => {
    const docker = testDocker();
    const registry = uniqueName('registry-proxy-cache');
    const worker = uniqueName('worker');
    let storage: string;
    let dm: DockerMachine;
    let settings: MirrorSettings;
    let vmDisk: string;
    let original: Buffer;
    let created: RegistryMachineResult;

    beforeAll(async () => {
      original = readFileSync(testbed().daemonJson);
      storage = tempDir('drpc-reg-machines-');
      // Booting a stand-in machine applies its profile's registry flags to the test bed's dockerd.
      const env = standInEnv(storage, {
        dockerHost: testbed().tlsHost,
        certDir: testbed().tlsCertDir,
        ip: '127.0.0.1',
        daemonJson: testbed().daemonJson,
        pidfile: paths.pidfile,
      });
      dm = new DockerMachine({
        env,
        runner: (file, args, opts) => processRunner(file, args, { env, ...opts }),
      });
      settings = {
        ...defaultMirrorSettings(),
        port: await freePort(),
        containerName: uniqueName('drpc-regmachine'),
        upstreamUrl: testbed().upstreamUrl,
        network: testbed().network,
      };
      // Stands for /var/lib/boot2docker/docker-registry-proxy-cache inside the VM.
      vmDisk = tempDir('drpc-vm-disk-');
    });
    afterAll(async () => {
      await docker
        .getContainer(settings.containerName)
        .remove({ force: true })
        .catch(() => {});
      // The engine is shared: a local copy left behind would make another test's cold pull a warm one.
      await removeLocalImages(docker, ['twotags:v2', 'library/app-one:latest']);
      // The stand-in wrote insecure-registries too: read an empty list once, then the original file.
      writeFileSync(
        testbed().daemonJson,
        JSON.stringify({ ...JSON.parse(original.toString()), 'insecure-registries': [] }),
      );
      await reloadDockerd();
      writeFileSync(testbed().daemonJson, original);
      await setMirrors([]);
    });

    it('creates the registry machine with the seed flags and runs the mirror in it through TLS', async () => {
      const steps: string[] = [];
      created = await createRegistryMachine({
        dm,
        name: registry,
        driver: 'virtualbox',
        driverOptions: { 'virtualbox-memory': '2048' },
        settings,
        dataDir: vmDisk,
        confirmRemove: async () => {
          throw new Error('nothing to remove: must not ask');
        },
        onStep: (s) => steps.push(s),
      });
      expect(created).toMatchObject({
        machine: registry,
        ip: '127.0.0.1',
        removed: false,
        mirrorUrl: `http://127.0.0.1:${settings.port}`,
        status: { state: 'running' },
        engineUsesMirror: true,
        newMachineFlags: [
          '--engine-registry-mirror',
          `http://127.0.0.1:${settings.port}`,
          '--engine-insecure-registry',
          `127.0.0.1:${settings.port}`,
        ],
      });
      expect(steps.some((s) => s.includes(`docker-machine ${registry}: ${testbed().tlsHost} (TLS)`))).toBe(
        true,
      );
      // docker-machine create got the seed's engine flags (the stand-in records its arguments).
      const record = JSON.parse(
        readFileSync(join(storage, 'machines', registry, 'drpc-fake-machine.json'), 'utf8'),
      );
      expect(record.createArgs).toEqual([
        '--driver',
        'virtualbox',
        '--virtualbox-memory=2048',
        '--engine-insecure-registry',
        `localhost:${settings.port}`,
        '--engine-registry-mirror',
        `http://localhost:${settings.port}`,
        registry,
      ]);

      // Remote storage: the data directory is the VM's, config.yml went into the container, nothing local.
      const info = await docker.getContainer(settings.containerName).inspect();
      expect(info.HostConfig.Binds).toEqual([`${vmDisk}/data:/var/lib/registry:rw`]);
      expect(info.HostConfig.PortBindings['5000/tcp']).toEqual([
        { HostIp: '0.0.0.0', HostPort: String(settings.port) },
      ]);
      expect(existsSync(join(vmDisk, 'config'))).toBe(false);
      const archive = (await docker.getContainer(settings.containerName).getArchive({
        path: configPathFor(registryMajorOf(testbed().mirrorImage)),
      })) as unknown as NodeJS.ReadableStream;
      const chunks: Buffer[] = [];
      for await (const c of archive) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).toString('latin1')).toContain(`remoteurl: ${testbed().upstreamUrl}`);

      // The machine's own engine uses its mirror: a pull by the Hub name lands in the catalog.
      const conn = await connectMachine(dm, registry);
      expect(await mirrorsOf(conn.docker)).toEqual([`http://localhost:${settings.port}/`]);
      // twotags:v2 has a layer of its own: no other test's local copy can make this pull a warm one.
      await removeLocalImages(conn.docker, ['twotags:v2']);
      await pull(conn.docker, 'twotags:v2');
      expect(await readCatalog(created.mirrorUrl)).toContain('library/twotags');
    });

    it('asks before removing an existing registry machine, and stops without a yes', async () => {
      const asked: string[] = [];
      await expect(
        createRegistryMachine({
          dm,
          name: registry,
          driver: 'virtualbox',
          settings,
          dataDir: vmDisk,
          confirmRemove: async (n) => (asked.push(n), false),
        }),
      ).rejects.toMatchObject({ details: { reason: 'NEEDS_CONFIRMATION' } });
      expect(asked).toEqual([registry]);
      expect(await dm.exists(registry)).toBe(true);

      const again = await createRegistryMachine({
        dm,
        name: registry,
        driver: 'virtualbox',
        settings,
        dataDir: vmDisk,
        confirmRemove: async () => true,
      });
      expect(again).toMatchObject({ removed: true, status: { state: 'running' } });
      expect(
        JSON.parse(readFileSync(join(storage, 'machines', registry, 'drpc-fake-machine.json'), 'utf8'))
          .driverOptions,
      ).toEqual({});
    });

    it('configures another machine over ssh, restarts it, verifies through its engine, and undoes it', async () => {
      await dm.create(worker, { driver: 'virtualbox' });
      const profile = join(machineRoot(storage, worker), 'var', 'lib', 'boot2docker', 'profile');
      const before = readFileSync(profile, 'utf8');
      const workerEngine = (await connectMachine(dm, worker)).docker;
      expect(await mirrorsOf(workerEngine)).toEqual([]);

      const undo = new EngineUndoStore(memoryStore());
      const adapter = new MachineEngine(worker, dm);
      const out = await configureEngine(adapter, created.mirrorUrl, { undo });
      expect(out).toMatchObject({
        changed: true,
        applied: `docker-machine restart ${worker}`,
        verified: true,
        state: 'using-mirror',
      });
      expect(readFileSync(profile, 'utf8')).toContain(
        `--label provider=virtualbox\n--insecure-registry 127.0.0.1:${settings.port}\n--registry-mirror http://127.0.0.1:${settings.port}\n`,
      );
      // Once only.
      expect((await configureEngine(adapter, created.mirrorUrl, { undo })).changed).toBe(false);
      expect(await undo.records(`machine:${worker}`)).toHaveLength(1);

      await removeLocalImages(workerEngine, ['library/app-one:latest']);
      await pull(workerEngine, 'library/app-one:latest');
      expect(await readCatalog(created.mirrorUrl)).toContain('library/app-one');

      const back = await undoEngine(adapter, { undo });
      expect(back).toMatchObject({ undone: 1, verified: true, applied: `docker-machine restart ${worker}` });
      expect(readFileSync(profile, 'utf8')).toBe(before);
      expect(await mirrorsOf(workerEngine)).toEqual([]);
    });

    it('refuses a machine that is not running, or does not exist, before changing anything', async () => {
      expect((await dm.run(['stop', worker])).code).toBe(0);
      const undo = new EngineUndoStore(memoryStore());
      await expect(
        configureEngine(new MachineEngine(worker, dm), created.mirrorUrl, { undo }),
      ).rejects.toMatchObject({
        details: { reason: 'NOT_RUNNING' },
      });
      await expect(
        configureEngine(new MachineEngine('nope', dm), created.mirrorUrl, { undo }),
      ).rejects.toMatchObject({
        details: { reason: 'MACHINE_NOT_FOUND' },
      });
      expect(await undo.all()).toEqual({});
    });
  },
  "drives the test bed's TLS dockerd as docker-machine VMs and reconfigures it",
);
