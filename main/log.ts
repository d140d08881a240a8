// The main process's log: one line per entry to a sink (a file under ~/Library/Logs, and the console
// in development). Secrets registered with addSecret never reach the sink, whatever carries them.
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export type Level = 'info' | 'warn' | 'error';

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** From now on, this text is replaced by [redacted] wherever it appears. */
  addSecret(secret: string): void;
}

export const REDACTED = '[redacted]';

export function createLogger(sink: (line: string) => void, now: () => Date = () => new Date()): Logger {
  const secrets = new Set<string>();
  const redact = (text: string) => {
    let out = text;
    for (const s of secrets) {
      // The secret as written, and as JSON writes it inside a string (quotes, backslashes escaped).
      for (const form of new Set([s, JSON.stringify(s).slice(1, -1)])) out = out.split(form).join(REDACTED);
    }
    return out;
  };
  const write = (level: Level, message: string, fields?: Record<string, unknown>) => {
    const extra = fields && Object.keys(fields).length ? ' ' + safeJson(fields) : '';
    try {
      sink(redact(`${now().toISOString()} ${level} ${message}${extra}`));
    } catch {
      // A log that cannot be written must not take the app down.
    }
  };
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    addSecret(secret) {
      // Very short values would redact ordinary words; such passwords are refused long before this.
      if (secret.length >= 4) secrets.add(secret);
    },
  };
}

function safeJson(fields: Record<string, unknown>): string {
  try {
    return JSON.stringify(fields, (_k, v: unknown) =>
      v instanceof Error ? { name: v.name, message: v.message } : v,
    );
  } catch {
    return '{"fields":"unserialisable"}';
  }
}

/** A logger that drops everything, for tests that do not look at the log. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {}, addSecret() {} };

/** Appends to `<dir>/main.log` (owner-only), and echoes to the console in development. */
export function fileSink(dir: string, echo: boolean): (line: string) => void {
  mkdirSync(dir, { recursive: true });
  const stream = createWriteStream(join(dir, 'main.log'), { flags: 'a', mode: 0o600 });
  stream.on('error', () => {});
  return (line) => {
    stream.write(`${line}\n`);
    if (echo) console.log(line);
  };
}
