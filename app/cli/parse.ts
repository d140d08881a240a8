// Splits argv into a command, its positionals and its options (global ones plus the command's own).
// Options may come before or after the command name: `drpc --port 5001 up` = `drpc up --port 5001`.
import { parseArgs } from 'node:util';
import { AppError, messageOf } from '../util/errors.js';
import type { CliCommand, OptionSpec, OptionValues } from './command.js';
import { GLOBAL_HELP, GLOBAL_OPTIONS } from './global-options.js';

export interface Parsed {
  command: CliCommand | 'help';
  positionals: string[];
  values: OptionValues;
}

type Option = OptionSpec[string];

/** Every option any command knows, by long name, with the commands that take it (global: none listed). */
function knownOptions(commands: CliCommand[]): Map<string, { spec: Option; commands: string[] }> {
  const known = new Map<string, { spec: Option; commands: string[] }>();
  for (const [name, spec] of Object.entries(GLOBAL_OPTIONS)) known.set(name, { spec, commands: [] });
  for (const c of commands) {
    for (const [name, spec] of Object.entries(c.options ?? {})) {
      const entry = known.get(name);
      if (!entry) known.set(name, { spec, commands: [c.name] });
      else if (entry.commands.length) entry.commands.push(c.name);
    }
  }
  return known;
}

/**
 * The command name: the first argument that is neither an option nor an option's value. An option
 * before the command takes a value when any command's option of that name does (no option name
 * means a value for one command and a switch for another).
 */
function commandName(argv: string[], commands: CliCommand[]): string | undefined {
  const known = knownOptions(commands);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return argv[i + 1];
    if (arg.startsWith('--')) {
      const [name, inline] = splitInline(arg.slice(2));
      const entry = known.get(name);
      if (!entry) throw unknownOption(`--${name}`, undefined, known);
      if (entry.spec.type === 'string' && inline === undefined) i++;
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      const short = [...known].find(([, e]) => e.spec.short === arg.slice(1, 2));
      if (!short) throw unknownOption(arg, undefined, known);
      if (short[1].spec.type === 'string' && arg.length === 2) i++;
      continue;
    }
    return arg;
  }
  return undefined;
}

function splitInline(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

function unknownOption(
  option: string,
  command: string | undefined,
  known: Map<string, { spec: Option; commands: string[] }>,
): AppError {
  const name = option.replace(/^-+/, '').split('=')[0]!;
  const entry = known.get(name);
  const where = command ? `drpc ${command}` : 'drpc';
  if (entry && command && entry.commands.length) {
    const owners = entry.commands.join(', ');
    return new AppError(
      'INVALID_INPUT',
      `${where} has no option --${name} (${owners} takes it); drpc ${command} --help lists its options`,
    );
  }
  const usable = [...known].filter(([, e]) => !command || !e.commands.length || e.commands.includes(command));
  const guess = usable
    .map(([n]) => ({ n, d: distance(name, n) }))
    .filter((c) => c.d <= Math.min(2, Math.floor(name.length / 2)))
    .sort((a, b) => a.d - b.d)[0];
  return new AppError(
    'INVALID_INPUT',
    `unknown option ${option.split('=')[0]} for ${where}${guess ? ` (did you mean --${guess.n}?)` : ''}; ` +
      `${command ? `drpc ${command} --help` : 'drpc help'} lists the options`,
  );
}

/** parseArgs' own messages, in the words of this CLI. */
function parseError(err: unknown, command: string, known: Map<string, { spec: Option; commands: string[] }>) {
  const code = (err as { code?: string }).code;
  const message = messageOf(err);
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return unknownOption(option, command, known);
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    if (/does not take an argument/.test(message))
      return new AppError('INVALID_INPUT', `${option} takes no value`);
    return new AppError('INVALID_INPUT', `${option} needs a value (${option} VALUE or ${option}=VALUE)`);
  }
  return new AppError('INVALID_INPUT', message);
}

export function parseCommandLine(argv: string[], commands: CliCommand[]): Parsed {
  const name = commandName(argv, commands) ?? 'status';
  const wantsHelp = argv.some((a) => a === '--help' || a === '-h');
  if (name === 'help') return { command: 'help', positionals: [], values: {} };
  const command = commands.find((c) => c.name === name);
  if (!command) {
    if (wantsHelp) return { command: 'help', positionals: [], values: {} };
    throw new AppError('INVALID_INPUT', `unknown command "${name}"; drpc help lists the commands`);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { ...GLOBAL_OPTIONS, ...(command.options ?? {}) },
    });
  } catch (err) {
    throw parseError(err, command.name, knownOptions(commands));
  }
  // The first positional is the command name, unless it was left out (status).
  const positionals = parsed.positionals.slice(parsed.positionals[0] === name ? 1 : 0);
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
    'usage: drpc [options] <command> [options]   (options go before or after the command)',
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
