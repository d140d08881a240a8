// What a CLI command is, and the context it runs in. Each feature adds its commands in commands/.
import type { ParseArgsConfig } from 'node:util';
import type Docker from 'dockerode';
import type { Mirror } from '../mirror/mirror.js';
import type { MirrorSettings, UpstreamCredentials } from '../mirror/settings.js';
import type { MirrorMode } from '../mirror/registry-config.js';
import type { JsonStore } from '../settings/json-file.js';
import type { CallInput, CallOutput } from '../contract/calls.js';
import type { OwnerCall } from '../owner/protocol.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | undefined>;

export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** resolves when the user interrupts (Ctrl-C) a following command */
  interrupted?: Promise<void>;
}

export interface CliContext {
  io: CliIO;
  json: boolean;
  /** arguments after the command name */
  positionals: string[];
  /** the command's own options */
  values: OptionValues;
  store: JsonStore;
  /** the settings file itself, whichever mirror the command acts on (the registries list lives there) */
  settingsFile: JsonStore;
  /** the registry the command acts on (--registry), absent for Docker Hub's main mirror */
  registry?: string;
  /** where the CLI keeps its state files (settings.json, access.json, stats.json); a registry's own home */
  configDir: string;
  /** the saved settings with this invocation's flags applied (validated; saved only if the command succeeds) */
  settings: MirrorSettings;
  /** upstream credentials from DRPC_UPSTREAM_USERNAME / DRPC_UPSTREAM_PASSWORD (Docker Hub's mirror only) */
  credentials: UpstreamCredentials | null;
  /** the lock this command holds while it drives the mirror alone (see app/owner/cli-owner.ts) */
  lock?: { release(): Promise<void> };
  /** how this machine reaches the upstream when not by its URL: --probe-url, else DRPC_PROBE_URL */
  probeUrl?: string;
  engine(): Promise<{ docker: Docker; endpoint: string; host?: string }>;
  /** the mirror in this mode; without one, in the mode its container runs (proxy when there is none) */
  mirror(mode?: MirrorMode): Promise<Mirror>;
  /** the mirror once the engine is known (after engine() resolved) */
  mirrorSync(mode?: MirrorMode): Mirror;
  /** human text, or the data as one JSON line with --json */
  print(human: string, data: unknown): void;
}

export interface CliCommand {
  name: string;
  /** e.g. "[IMAGE]" */
  args?: string;
  summary: string;
  options?: OptionSpec;
  /** lines for the usage text, one per option */
  optionHelp?: string[];
  /** highest number of positionals it takes */
  maxPositionals?: number;
  /**
   * How it stands to the mirror's owner (app/owner): `reads` asks a running owner (the app, watch, the
   * background keeper) and otherwise acts alone; `drives` changes the mirror, so it is sent to a running
   * owner, or runs holding the lock (a second one waits); `displaces` does the same, but asks a
   * background keeper to hand over and then runs itself. Absent: it never touches the mirror's state.
   */
  owner?: 'reads' | 'drives' | 'displaces';
  /**
   * `own`: the global settings flags this command declares in `options` (e.g. --upstream, --image) are
   * its own values, never applied to or saved in the mirror's settings, and the other settings flags
   * are refused. Absent: they change the mirror's settings as for any command.
   */
  settingsFlags?: 'own';
  run(ctx: CliContext): Promise<number>;
  /** The same command sent to the running owner (absent: refused while one runs). */
  viaOwner?(ctx: CliContext, call: OwnerCaller): Promise<number>;
}

/** Sends one contract call to the owner; its progress comes to the command as it goes. */
export type OwnerCaller = <N extends OwnerCall>(
  name: N,
  input: CallInput<N>,
  onEvent?: (event: string, payload: unknown) => void,
) => Promise<CallOutput<N>>;
