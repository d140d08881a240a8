import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DaemonJsonError } from './errors.js';
import { execFileRunner, validateWithDockerd, type CommandRunner, type RunResult } from './validate.js';

/** A fake dockerd: records each call and what the candidate file held at that moment. */
function fakeRunner(answer: (file: string) => RunResult | Error) {
  const calls: { file: string; args: readonly string[]; content: string }[] = [];
  const runner: CommandRunner = async (file, args) => {
    calls.push({ file, args, content: readFileSync(args[2]!, 'utf8') });
    const out = answer(file);
    if (out instanceof Error) throw out;
    return out;
  };
  return { runner, calls };
}
const enoent = () => Object.assign(new Error('spawn ENOENT'), { code: 'ENOENT' });

describe('validateWithDockerd (injected runner)', () => {
  it('runs dockerd --validate --config-file on a temp copy of the candidate, then removes it', async () => {
    const { runner, calls } = fakeRunner(() => ({ code: 0, stdout: 'configuration OK\n', stderr: '' }));
    const result = await validateWithDockerd('{"registry-mirrors": ["http://x"]}', {
      runner,
      dockerd: 'dockerd',
    });
    expect(result).toEqual({ validated: 'ok', dockerd: 'dockerd' });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.file).toBe('dockerd');
    expect(calls[0]!.args.slice(0, 2)).toEqual(['--validate', '--config-file']);
    expect(calls[0]!.content).toBe('{"registry-mirrors": ["http://x"]}');
    expect(existsSync(calls[0]!.args[2]!)).toBe(false);
  });

  it('tries the next candidate when one is not installed, and says unavailable when none is', async () => {
    const { runner, calls } = fakeRunner((file) =>
      file === '/b/dockerd' ? { code: 0, stdout: '', stderr: '' } : enoent(),
    );
    expect(await validateWithDockerd('{}', { runner, dockerd: ['/a/dockerd', '/b/dockerd'] })).toEqual({
      validated: 'ok',
      dockerd: '/b/dockerd',
    });
    expect(calls.map((c) => c.file)).toEqual(['/a/dockerd', '/b/dockerd']);
    const none = await validateWithDockerd('{}', {
      runner: fakeRunner(enoent).runner,
      dockerd: ['/a', '/b'],
    });
    expect(none).toMatchObject({ validated: 'unavailable' });
  });

  it('reports dockerd without --validate (20.10) as unavailable, not as a failure', async () => {
    const { runner } = fakeRunner(() => ({
      code: 125,
      stdout: '',
      stderr: "Status: unknown flag: --validate\nSee 'dockerd --help'., Code: 125\n",
    }));
    const result = await validateWithDockerd('{}', { runner, dockerd: 'dockerd' });
    expect(result).toMatchObject({ validated: 'unavailable' });
    expect(result.validated === 'unavailable' && result.reason).toContain('--validate');
  });

  it('throws VALIDATION_FAILED with dockerd’s message when the candidate is rejected', async () => {
    const { runner } = fakeRunner(() => ({
      code: 1,
      stdout: '',
      stderr:
        'unable to configure the Docker daemon with file /tmp/x/daemon.json: invalid mirror: unsupported scheme "ftp"\n',
    }));
    const err = await validateWithDockerd('{"registry-mirrors": ["ftp://x"]}', { runner }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DaemonJsonError);
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((err as Error).message).toContain('unsupported scheme "ftp"');
  });

  it('execFileRunner passes arguments without a shell and reports exit codes and missing programs', async () => {
    const out = await execFileRunner(process.execPath, [
      '-e',
      'process.stdout.write(process.argv[1]); process.exit(3)',
      '$(x) ; y',
    ]);
    expect(out).toEqual({ code: 3, stdout: '$(x) ; y', stderr: '' });
    await expect(execFileRunner('/nonexistent/dockerd', [])).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

// The real engine binary on this machine, when there is one.
const dockerd = ['/usr/bin/dockerd', '/usr/sbin/dockerd', '/usr/local/bin/dockerd'].find((p) =>
  existsSync(p),
);

// Skipped where no dockerd is installed, saying so (and failing a CI run: testbed/skip-reporter.ts).
describe.skipIf(!dockerd)(
  `validateWithDockerd with the real dockerd${dockerd ? '' : ' (skipped: no dockerd binary here: apt-get install docker.io)'}`,
  () => {
    it('validates when this dockerd has --validate, and reports unavailable when it does not', async () => {
      const help = await execFileRunner(dockerd!, ['--help']);
      const hasValidate = /--validate\b/.test(help.stdout + help.stderr);
      const good = await validateWithDockerd('{"registry-mirrors": ["http://127.0.0.1:5000"]}', { dockerd });
      if (hasValidate) {
        expect(good).toEqual({ validated: 'ok', dockerd });
        const bad = await validateWithDockerd('{"registry-mirrors": ["ftp://x"]}', { dockerd }).catch(
          (e: unknown) => e,
        );
        expect(bad).toMatchObject({ code: 'VALIDATION_FAILED' });
      } else {
        // dockerd 20.10 (installed here) predates --validate, which arrived in Docker Engine 23.
        expect(good).toEqual({
          validated: 'unavailable',
          reason: `${dockerd} has no --validate (Docker Engine 23 or later has it)`,
        });
      }
    });
  },
);
