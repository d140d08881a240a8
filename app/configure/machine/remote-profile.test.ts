// The boot2docker profile edited over `docker-machine ssh` (the stand-in runs the remote command with
// /bin/sh on the machine's disk directory): exact bytes both ways, idempotence, exact undo.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { machineRoot, standInEnv } from '../../../testbed/docker-machine/index.js';
import { tempDir, testbed, uniqueName, describeWithEngineControl } from '../../../testbed/helpers.js';
import { processRunner, type Runner } from '../runner.js';
import { DockerMachine } from './cli.js';
import { mirrorFlagsFor } from './profile.js';
import { configureProfile, readProfile, undoProfile, writeProfile } from './remote-profile.js';

describeWithEngineControl(
  'boot2docker profile over docker-machine ssh (stand-in)',
  () => {
    let storage: string;
    let env: NodeJS.ProcessEnv;
    let dm: DockerMachine;
    const machine = uniqueName('prof');
    const profileFile = () => join(machineRoot(storage, machine), 'var', 'lib', 'boot2docker', 'profile');
    const flags = mirrorFlagsFor('192.168.99.100', 5000);
    const runner = (): Runner => (file, args, opts) => processRunner(file, args, { env, ...opts });

    beforeAll(async () => {
      storage = tempDir('drpc-prof-');
      env = standInEnv(storage, {
        dockerHost: testbed().tlsHost,
        certDir: testbed().tlsCertDir,
        ip: '127.0.0.1',
      });
      dm = new DockerMachine({ env, runner: runner() });
      await dm.create(machine, { driver: 'virtualbox' });
    });

    it('edits the profile docker-machine wrote, once, and undo puts back the exact bytes', async () => {
      const original = readFileSync(profileFile(), 'utf8');
      expect(original).toContain("EXTRA_ARGS='\n--label provider=virtualbox\n\n'");
      expect(await readProfile(dm, machine)).toBe(original);

      const first = await configureProfile(dm, machine, flags);
      expect(first.changed).toBe(true);
      expect(readFileSync(profileFile(), 'utf8')).toBe(
        original.replace(
          '--label provider=virtualbox\n',
          '--label provider=virtualbox\n--insecure-registry 192.168.99.100:5000\n--registry-mirror http://192.168.99.100:5000\n',
        ),
      );
      const again = await configureProfile(dm, machine, flags);
      expect(again).toMatchObject({ changed: false, undo: null });

      expect(await undoProfile(dm, first.undo!)).toMatchObject({
        changed: true,
        detail: expect.stringMatching(/restored .* exactly/),
      });
      expect(readFileSync(profileFile(), 'utf8')).toBe(original);
    });

    it('after someone else edited it, undo takes out only our two flags', async () => {
      const r = await configureProfile(dm, machine, flags);
      writeFileSync(
        profileFile(),
        readFileSync(profileFile(), 'utf8').replace('DOCKER_TLS=auto', 'DOCKER_TLS=no'),
      );
      await undoProfile(dm, r.undo!);
      const text = readFileSync(profileFile(), 'utf8');
      expect(text).toContain("EXTRA_ARGS='\n--label provider=virtualbox\n\n'\n");
      expect(text).toContain('DOCKER_TLS=no');
    });

    it('creates a missing profile with EXTRA_ARGS only, and undo removes it again', async () => {
      writeFileSync(profileFile(), '');
      await dm.ssh(machine, 'sudo rm -f /var/lib/boot2docker/profile');
      expect(await readProfile(dm, machine)).toBeNull();
      const r = await configureProfile(dm, machine, flags);
      expect(readFileSync(profileFile(), 'utf8')).toBe(
        "EXTRA_ARGS='\n--insecure-registry 192.168.99.100:5000\n--registry-mirror http://192.168.99.100:5000\n'\n",
      );
      expect(r.undo!.before).toBeNull();
      await undoProfile(dm, r.undo!);
      expect(existsSync(profileFile())).toBe(false);
    });

    it('carries any bytes through the remote shell unchanged', async () => {
      const odd =
        "# é ünïcode, 'quotes', \"double\", $HOME, `tick`, \\back\\slash, %s %b\ttab\r\nEXTRA_ARGS='--debug'";
      await writeProfile(dm, machine, odd);
      expect(readFileSync(profileFile(), 'utf8')).toBe(odd);
      expect(await readProfile(dm, machine)).toBe(odd);
    });

    it('reads through a pty too (docker-machine --native-ssh): CRLF and a lost exit code', async () => {
      const text = "EXTRA_ARGS='\n--debug\n'\n";
      writeFileSync(profileFile(), text);
      const ptyRunner: Runner = async (file, args, opts) => {
        const r = await processRunner(file, args, { env, ...opts });
        return { code: 0, stdout: r.stdout.replaceAll('\n', '\r\n'), stderr: '' };
      };
      expect(await readProfile(new DockerMachine({ env, runner: ptyRunner }), machine)).toBe(text);
    });

    it('never takes a profile it could not read for a missing one', async () => {
      const failing: Runner = async () => ({
        code: 0,
        stdout: 'drpc-begin\ndrpc-end:1\n',
        stderr: 'sudo: a password is required\n',
      });
      await expect(readProfile(new DockerMachine({ runner: failing }), machine)).rejects.toThrow(
        /could not read \/var\/lib\/boot2docker\/profile .* \(cat exit 1\): sudo: a password is required/,
      );
    });
  },
  "drives the test bed's TLS dockerd as a docker-machine VM",
);
