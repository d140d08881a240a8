// Child processes for the engine adapters: a program and an argument array, never a shell string.
// Injected everywhere, so tests record the exact commands an adapter would run.
import { execFile } from 'node:child_process';
import type { RunResult } from './daemon-json/validate.js';

export type { RunResult } from './daemon-json/validate.js';

export interface RunOptions {
  /** kill the process after this long (default 60 s); the result then has `code: null` */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs `file` with `args`. Resolves with the exit status and output; rejects only when the program
 * could not be started (an error whose `code` is 'ENOENT', 'EACCES', …). Compatible with the
 * daemon.json editor's CommandRunner.
 */
export type Runner = (file: string, args: readonly string[], opts?: RunOptions) => Promise<RunResult>;

export const processRunner: Runner = (file, args, opts = {}) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      {
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 8 << 20,
        encoding: 'utf8',
        ...(opts.env ? { env: opts.env } : {}),
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code === 'string') return reject(err);
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });

/** True when a runner rejected because the program is not there. */
export function notInstalled(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES';
}

/** `file arg…` for messages, quoting arguments a person would have to quote in a terminal. */
export function commandLine(file: string, args: readonly string[]): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`);
  return [file, ...args].map(quote).join(' ');
}

/** The output of a failed command, trimmed, for an error message. */
export function outputOf(r: RunResult): string {
  return (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-5).join('\n');
}
