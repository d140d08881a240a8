// The suite on an engine it does not own (DRPC_TEST_DOCKER_HOST, e.g. Docker Desktop on a Mac), run
// for real here: a nested vitest uses this test bed's engine as "someone's Docker Desktop" holding
// things of its owner, which must all survive, with its daemon.json untouched.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithEngineControl, tempDir, testbed, testDocker, uniqueName } from './helpers.js';
import { UPSTREAM } from './layout.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');

describeWithEngineControl(
  'the suite on an engine it does not own',
  () => {
    const docker = testDocker();
    const owner = uniqueName('owner');
    let daemonJsonBefore: string;

    beforeAll(async () => {
      // The owner's things: an image name, a stopped container, a network, and their registry-mirrors.
      await docker.getImage(testbed().registryImage).tag({ repo: `${owner}/keep`, tag: 'v1' });
      await docker.createContainer({ name: owner, Image: `${owner}/keep:v1`, Labels: { owner } });
      await docker.createNetwork({ Name: `${owner}-net`, Labels: { owner } });
      daemonJsonBefore = readFileSync(testbed().daemonJson, 'utf8');
    });
    afterAll(async () => {
      await docker
        .getContainer(owner)
        .remove({ force: true })
        .catch(() => {});
      await docker
        .getNetwork(`${owner}-net`)
        .remove()
        .catch(() => {});
      await docker
        .getImage(`${owner}/keep:v1`)
        .remove()
        .catch(() => {});
    });

    it('runs the seed verification and lifecycle tests, skips engine control with the reason, and leaves the owner’s things alone', async () => {
      const dir = tempDir('drpc-ext-');
      const report = join(dir, 'report.json');
      const env = {
        ...process.env,
        DRPC_TEST_DOCKER_HOST: testbed().dockerHost,
        DRPC_TESTBED_DIR: join(dir, 'tb'),
        DRPC_NO_TESTBED: '',
        FORCE_COLOR: '0',
        // Skips are this run's point (engine control on someone's engine): counted below, not refused.
        CI: '',
      };
      const { stdout } = await run(
        join(root, 'node_modules/.bin/vitest'),
        [
          'run',
          'app/mirror/mirror.test.ts',
          'app/mirror/lifecycle.test.ts',
          '--reporter=json',
          `--outputFile.json=${report}`,
          '--reporter=verbose',
        ],
        { cwd: root, env, timeout: 240_000, maxBuffer: 16 << 20 },
      );
      const result = JSON.parse(readFileSync(report, 'utf8')) as {
        numPassedTests: number;
        numFailedTests: number;
        numPendingTests: number;
      };
      expect(result.numFailedTests).toBe(0);
      expect(result.numPassedTests).toBeGreaterThanOrEqual(5);
      // The engine restart is skipped, and says why.
      expect(result.numPendingTests).toBe(1);
      expect(stdout).toMatch(
        /keeps the cache across an engine restart.*DRPC_TEST_DOCKER_HOST=.* the suite does not own/,
      );

      // The owner's image, container and network survive; their daemon.json is byte for byte the same.
      expect((await docker.getImage(`${owner}/keep:v1`).inspect()).RepoTags).toContain(`${owner}/keep:v1`);
      expect((await docker.getContainer(owner).inspect()).Config.Labels.owner).toBe(owner);
      expect((await docker.getNetwork(`${owner}-net`).inspect()).Labels?.owner).toBe(owner);
      expect(readFileSync(testbed().daemonJson, 'utf8')).toBe(daemonJsonBefore);
      // This test bed's own stand-in Docker Hub kept running; the nested run's is gone, with its network.
      expect((await docker.getContainer(UPSTREAM.container).inspect()).State.Running).toBe(true);
      const names = (await docker.listContainers({ all: true })).flatMap((c) => c.Names);
      expect(names.filter((n) => n.startsWith(`/${UPSTREAM.container}-`))).toEqual([]);
      const nets = (await docker.listNetworks()).map((n) => n.Name);
      expect(nets.filter((n) => n.startsWith('drpc-tb-net-'))).toEqual([]);
      // Nothing it pulled is left: no image named after a loopback registry.
      const images = (await docker.listImages()).flatMap((i) => i.RepoTags ?? []);
      expect(images.filter((t) => /^(localhost|127\.0\.0\.1):\d+\//.test(t))).toEqual([]);
    });
  },
  "plays someone's Docker Desktop with the test bed's own engine",
);
