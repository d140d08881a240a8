// Splits argv into a command, its positionals and its options (global ones plus the command's own).
import { parseArgs } from 'node:util';
import { AppError, messageOf } from '../util/errors.js';
import type { CliCommand, OptionValues } from './command.js';
import { GLOBAL_HELP, GLOBAL_OPTIONS } from './global-options.js';

export interface Parsed {
  command: CliCommand | 'help';
  positionals: string[];
  values: OptionValues;
}

export function parseCommandLine(argv: string[], commands: CliCommand[]): Parsed {
  // The command is the first argument that is not an option.
  const name = argv.find((a) => !a.startsWith('-')) ?? 'status';
  if (name === 'help') return { command: 'help', positionals: [], values: {} };
  const command = commands.find((c) => c.name === name);
  if (!command) throw new AppError('INVALID_INPUT', `unknown command "${name}"`);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { ...GLOBAL_OPTIONS, ...(command.options ?? {}) },
    });
  } catch (err) {
    throw new AppError('INVALID_INPUT', messageOf(err));
  }
  const positionals = parsed.positionals.slice(argv.includes(name) ? 1 : 0);
  const max = command.maxPositionals ?? 0;
  if (positionals.length > max)
    throw new AppError('INVALID_INPUT', `unexpected argument "${positionals[max]}"`);
  const values = parsed.values as OptionValues;
  if (values.help) return { command: 'help', positionals: [], values: {} };
  return { command, positionals, values };
}

export function usage(commands: CliCommand[]): string {
  const width = Math.max(...commands.map((c) => `${c.name} ${c.args ?? ''}`.length)) + 2;
  const lines = commands.map((c) => `  ${`${c.name} ${c.args ?? ''}`.padEnd(width)}${c.summary}`);
  const own = commands.flatMap((c) => (c.optionHelp ?? []).map((h) => `  ${c.name}: ${h}`));
  return [
    'usage: drpc <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    'options for every command:',
    ...GLOBAL_HELP.map((h) => `  ${h}`),
    ...(own.length ? ['', 'command options:', ...own] : []),
    '',
    'upstream credentials come from DRPC_UPSTREAM_USERNAME and DRPC_UPSTREAM_PASSWORD, never from flags.',
    'exit codes: 0 ok, 1 unexpected error, 2 bad input, 3 Docker unreachable, 4 registry image unavailable,',
    '            5 port in use, 6 mirror not running or verification failed',
  ].join('\n');
}
