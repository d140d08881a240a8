// Every command of `drpc`, in the order the usage text lists them. A feature adds its list here.
import type { CliCommand } from '../command.js';
import { cacheCommands } from './cache.js';
import { clientCommands } from './clients.js';
import { containerdCommands } from './containerd.js';
import { engineCommands } from './engines.js';
import { mirrorCommands } from './mirror.js';
import { registriesCommands } from './registries.js';
import { teamCommands } from './team.js';

export const COMMANDS: CliCommand[] = [
  ...mirrorCommands,
  ...cacheCommands,
  ...engineCommands,
  ...containerdCommands,
  ...registriesCommands,
  ...teamCommands,
  ...clientCommands,
];
