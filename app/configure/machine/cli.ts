// The docker-machine command, one method per subcommand we use: argument arrays only, machine names
// checked by a strict pattern before any process starts, and its documented failures turned into
// errors a person can act on (not installed, no such machine, driver missing, VM not running).
import { isIP } from 'node:net';
import { messageOf } from '../../util/errors.js';
import { configureError } from '../errors.js';
import {
  commandLine,
  notInstalled,
  outputOf,
  processRunner,
  type RunOptions,
  type RunResult,
  type Runner,
} from '../runner.js';
import { LS_FORMAT, parseEnv, parseLs, type MachineListItem } from './parse.js';

/** docker-machine's own rule (letters, digits, `.` and `-`, not first), bounded. */
export const MACHINE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9.-]{0,62}$/;
export const DEFAULT_REGISTRY_MACHINE = 'registry-proxy-cache';

export function assertMachineName(name: string): string {
  if (!MACHINE_NAME.test(name)) {
    throw configureError(
      'BAD_NAME',
      `"${name}" is not a valid machine name: use letters, digits, "." and "-" (not first), at most 63`,
      { machine: name },
    );
  }
  return name;
}

export interface CreateOptions {
  /** -d DRIVER (virtualbox, xhyve, …) */
  driver: string;
  /** driver flags without the dashes: { 'virtualbox-memory': '2048', 'xhyve-experimental-nfs-share': true } */
  driverOptions?: Record<string, string | true>;
  insecureRegistries?: string[];
  registryMirrors?: string[];
}

const DRIVER = /^[a-z0-9][a-z0-9-]{0,40}$/;
const DRIVER_FLAG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** The `create` arguments, validated; also what the CLI prints as "ready to copy". */
export function createArgs(name: string, o: CreateOptions): string[] {
  assertMachineName(name);
  if (!DRIVER.test(o.driver)) throw configureError('BAD_NAME', `"${o.driver}" is not a driver name`);
  const args = ['create', '--driver', o.driver];
  for (const [flag, value] of Object.entries(o.driverOptions ?? {})) {
    if (!DRIVER_FLAG.test(flag) || flag.startsWith('engine-'))
      throw configureError('BAD_NAME', `"${flag}" is not a driver option (like virtualbox-memory)`);
    // One argument `--flag=value`: a value can never be taken for another flag.
    args.push(value === true ? `--${flag}` : `--${flag}=${value}`);
  }
  for (const r of o.insecureRegistries ?? []) args.push('--engine-insecure-registry', r);
  for (const m of o.registryMirrors ?? []) args.push('--engine-registry-mirror', m);
  args.push(name);
  return args;
}

export interface DockerMachineOptions {
  runner?: Runner;
  /** the program (default `docker-machine` on PATH) */
  bin?: string;
  env?: NodeJS.ProcessEnv;
}

export class DockerMachine {
  readonly bin: string;
  private readonly runner: Runner;

  constructor(private readonly opts: DockerMachineOptions = {}) {
    this.bin = opts.bin ?? 'docker-machine';
    this.runner = opts.runner ?? processRunner;
  }

  /** Runs docker-machine; a missing program is NOT_INSTALLED. */
  async run(args: string[], timeoutMs = 60_000): Promise<RunResult> {
    const o: RunOptions = { timeoutMs, ...(this.opts.env ? { env: this.opts.env } : {}) };
    try {
      return await this.runner(this.bin, args, o);
    } catch (err) {
      if (notInstalled(err)) {
        throw configureError(
          'NOT_INSTALLED',
          'docker-machine is not installed (or not on PATH). It was archived in 2021 (last release 0.16.2); Docker Desktop, Colima or OrbStack replace it',
        );
      }
      throw configureError(
        'COMMAND_FAILED',
        `${commandLine(this.bin, args)} could not be run: ${messageOf(err)}`,
      );
    }
  }

  /** Runs and throws the documented failures as errors; returns stdout. */
  private async ok(args: string[], machine?: string, timeoutMs?: number): Promise<string> {
    const r = await this.run(args, timeoutMs);
    if (r.code === 0) return r.stdout;
    throw this.failure(args, r, machine);
  }

  failure(args: string[], r: RunResult, machine?: string): Error {
    const out = `${r.stderr}\n${r.stdout}`;
    const cmd = commandLine(this.bin, args);
    const details = machine ? { machine, command: cmd } : { command: cmd };
    if (/does not exist\. Use "docker-machine ls"|Host does not exist/.test(out)) {
      return configureError(
        'MACHINE_NOT_FOUND',
        `docker-machine has no machine "${machine}": \`docker-machine ls\` lists them`,
        details,
      );
    }
    const driver = /Driver "([^"]+)" not found/.exec(out);
    if (driver) {
      return configureError(
        'DRIVER_MISSING',
        `the docker-machine driver "${driver[1]}" is not installed (docker-machine-driver-${driver[1]} is not on PATH)`,
        details,
      );
    }
    if (/is not running/i.test(out)) {
      return configureError(
        'NOT_RUNNING',
        `machine "${machine}" is not running: start it with \`docker-machine start ${machine}\``,
        details,
      );
    }
    if (/already exists/.test(out))
      return configureError('MACHINE_EXISTS', `machine "${machine}" already exists`, details);
    if (r.code === null) return configureError('COMMAND_FAILED', `${cmd} did not finish in time`, details);
    return configureError('COMMAND_FAILED', `${cmd} failed (exit ${r.code}): ${outputOf(r)}`, details);
  }

  async version(): Promise<string> {
    return (await this.ok(['version'])).trim();
  }

  async ls(): Promise<MachineListItem[]> {
    return parseLs(await this.ok(['ls', '--format', LS_FORMAT], undefined, 120_000));
  }

  async exists(name: string): Promise<boolean> {
    assertMachineName(name);
    return (await this.ok(['ls', '-q'])).split('\n').some((l) => l.trim() === name);
  }

  async status(name: string): Promise<string> {
    return (await this.ok(['status', assertMachineName(name)], name)).trim();
  }

  async ip(name: string): Promise<string> {
    const ip = (await this.ok(['ip', assertMachineName(name)], name)).trim();
    if (!isIP(ip))
      throw configureError('COMMAND_FAILED', `docker-machine ip ${name} printed "${ip}", not an IP address`, {
        machine: name,
      });
    return ip;
  }

  /** DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_MACHINE_NAME (bash format whatever $SHELL says). */
  async env(name: string): Promise<Record<string, string>> {
    return parseEnv(await this.ok(['env', '--shell', 'bash', assertMachineName(name)], name));
  }

  /** `docker-machine ssh NAME COMMAND`: the command is run by the machine's shell; the result as it is. */
  async ssh(name: string, command: string): Promise<RunResult> {
    const args = ['ssh', assertMachineName(name), command];
    const r = await this.run(args, 120_000);
    // "exit status N" is the remote command's failure, for the caller to judge.
    if (r.code !== 0 && !/^exit status \d+\s*$/m.test(r.stderr)) throw this.failure(args, r, name);
    return r;
  }

  async create(name: string, o: CreateOptions): Promise<string> {
    return this.ok(createArgs(name, o), name, 1_800_000);
  }

  /** Removes a machine without asking: the caller asked the user first. */
  async rm(name: string): Promise<void> {
    await this.ok(['rm', '-y', assertMachineName(name)], name, 600_000);
  }

  async restart(name: string): Promise<void> {
    await this.ok(['restart', assertMachineName(name)], name, 600_000);
  }
}
