// Optional check of a candidate daemon.json by the engine itself: `dockerd --validate --config-file F`
// (Docker Engine 23 and later). Older dockerd (20.10 says "unknown flag: --validate") and hosts
// without dockerd at all (Docker Desktop, OrbStack on macOS) are reported as 'unavailable', not errors.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaemonJsonError } from './errors.js';

export interface RunResult {
  /** Exit code; `null` when the process was killed (timeout, signal). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `file` with an argument array, never through a shell. Resolves with the exit status, and
 * rejects only when the program could not be started (an error whose `code` is e.g. 'ENOENT').
 */
export type CommandRunner = (file: string, args: readonly string[]) => Promise<RunResult>;

export const execFileRunner: CommandRunner = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      { timeout: 20_000, maxBuffer: 1 << 20, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err && typeof err.code === 'string') return reject(err);
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
      },
    );
  });

/** Where dockerd lives: PATH first, then the usual places outside a non-root PATH (/usr/sbin). */
export const DOCKERD_CANDIDATES: readonly string[] = [
  'dockerd',
  '/usr/bin/dockerd',
  '/usr/sbin/dockerd',
  '/usr/local/bin/dockerd',
];

export interface ValidateOptions {
  runner?: CommandRunner;
  /** The dockerd program(s) to try, in order; the first one that starts is used. */
  dockerd?: string | readonly string[];
}

export type Validation = { validated: 'ok'; dockerd: string } | { validated: 'unavailable'; reason: string };

/**
 * Writes `candidate` to a private temp file and asks dockerd to validate it. Resolves 'ok' or
 * 'unavailable'; throws VALIDATION_FAILED (with dockerd's message) when dockerd rejects it.
 */
export async function validateWithDockerd(
  candidate: string | Uint8Array,
  options: ValidateOptions = {},
): Promise<Validation> {
  const runner = options.runner ?? execFileRunner;
  const programs =
    typeof options.dockerd === 'string' ? [options.dockerd] : (options.dockerd ?? DOCKERD_CANDIDATES);
  const dir = await mkdtemp(join(tmpdir(), 'drpc-daemon-json-'));
  const file = join(dir, 'daemon.json');
  try {
    await writeFile(file, candidate, { mode: 0o600 });
    for (const dockerd of programs) {
      let result: RunResult;
      try {
        result = await runner(dockerd, ['--validate', '--config-file', file]);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException | undefined)?.code;
        if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR') continue;
        throw err;
      }
      const output = `${result.stdout}\n${result.stderr}`.trim();
      if (result.code === 0) return { validated: 'ok', dockerd };
      if (/unknown flag:? --validate/i.test(output)) {
        return {
          validated: 'unavailable',
          reason: `${dockerd} has no --validate (Docker Engine 23 or later has it)`,
        };
      }
      if (result.code === null)
        return { validated: 'unavailable', reason: `${dockerd} --validate did not finish` };
      throw new DaemonJsonError(
        'VALIDATION_FAILED',
        `dockerd rejected the new configuration, nothing was changed: ${output.replaceAll(file, 'daemon.json') || `exit code ${result.code}`}`,
      );
    }
    return { validated: 'unavailable', reason: 'dockerd is not installed here' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
