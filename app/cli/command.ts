// What a CLI command is, and the context it runs in. Each feature adds its commands in commands/.
import type { ParseArgsConfig } from 'node:util';
import type Docker from 'dockerode';
import type { Mirror } from '../mirror/mirror.js';
import type { MirrorSettings } from '../mirror/settings.js';
import type { MirrorMode } from '../mirror/registry-config.js';
import type { JsonStore } from '../settings/json-file.js';

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
  /** where the CLI keeps its state files (settings.json, access.json, stats.json) */
  configDir: string;
  /** the saved settings with this invocation's flags applied (validated; saved only if the command succeeds) */
  settings: MirrorSettings;
  engine(): Promise<{ docker: Docker; endpoint: string; host?: string }>;
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
  run(ctx: CliContext): Promise<number>;
}
