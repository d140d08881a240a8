// For tests: a runner that records every command and answers from a script, the way the real
// program documents it (exit codes, output). Used only for engines that cannot exist on the test
// machine (Docker Desktop, Colima, OrbStack, systemd).
import type { RunOptions, RunResult, Runner } from './runner.js';

export interface RecordedCall {
  file: string;
  args: string[];
  opts?: RunOptions;
}

/** What the scripted program does: an exit status and output, or an error (e.g. ENOENT) thrown at start. */
export type Answer = Partial<RunResult> | Error;

export type RecordingRunner = Runner & { calls: RecordedCall[]; commands: () => string[] };

export function recordingRunner(script: (call: RecordedCall) => Answer | Promise<Answer>): RecordingRunner {
  const calls: RecordedCall[] = [];
  const run = (async (file: string, args: readonly string[], opts?: RunOptions) => {
    const call: RecordedCall = { file, args: [...args], ...(opts ? { opts } : {}) };
    calls.push(call);
    const answer = await script(call);
    if (answer instanceof Error) throw answer;
    return {
      code: answer.code === undefined ? 0 : answer.code,
      stdout: answer.stdout ?? '',
      stderr: answer.stderr ?? '',
    };
  }) as RecordingRunner;
  run.calls = calls;
  run.commands = () => calls.map((c) => [c.file, ...c.args].join(' '));
  return run;
}

/** The error Node gives when a program is not installed. */
export function enoent(file: string): NodeJS.ErrnoException {
  const err = new Error(`spawn ${file} ENOENT`) as NodeJS.ErrnoException;
  err.code = 'ENOENT';
  return err;
}

/**
 * An engine in a VM, as Docker Desktop, OrbStack and Colima document theirs: it reads its configuration
 * file when it starts (never while it runs), and answers `info()` only while running, listing each
 * registry mirror with a trailing slash as dockerd does.
 */
export class VmEngine {
  running = true;
  mirrors: string[] = [];
  starts = 0;

  constructor(private readonly readMirrors: () => string[]) {}

  /** An invalid configuration stops the engine from starting (as Docker Desktop documents). */
  start(): void {
    this.starts++;
    try {
      this.mirrors = this.readMirrors().map((m) => m.replace(/\/?$/, '/'));
      this.running = true;
    } catch {
      this.running = false;
    }
  }

  stop(): void {
    this.running = false;
  }

  readonly probe = {
    info: async () => {
      if (!this.running) throw new Error('connect ENOENT docker.sock');
      return { RegistryConfig: { Mirrors: this.mirrors } };
    },
    ping: async () => {
      if (!this.running) throw new Error('connect ENOENT docker.sock');
      return 'OK';
    },
  };
}

/** A clock for adapters that wait: sleeping moves it forward at once. */
export function fakeClock(): { now: () => number; sleep: (ms: number) => Promise<void> } {
  let t = 0;
  return { now: () => t, sleep: async (ms) => void (t += ms) };
}
