// The contract at the edge of the core, for any front end. A call: the input parsed with the call's
// schema, the handler, the output parsed with its own (which also strips anything a handler added by
// mistake), and every failure turned into `{ok: false, error}` data. An event: its payload parsed with
// its schema before it leaves. Main runs calls behind its caller checks (main/ipc.ts), the browser
// bridge behind its origin checks: what a caller may do is the same everywhere.
import { callSchemas, type CallOutput } from '../contract/calls.js';
import { describeZodError, issuesOf, toCallError, type Result } from '../contract/envelope.js';
import { eventSchemas, type EventPayload } from '../contract/events.js';
import type { CallName, EventName } from '../contract/names.js';
import type { Handler, ServiceLogger } from '../service/types.js';

/** Never throws. */
export async function runCall<N extends CallName>(
  name: N,
  handler: Handler<N>,
  rawInput: unknown,
  log: ServiceLogger,
): Promise<Result<CallOutput<N>>> {
  const def = callSchemas[name];
  const input = def.input.safeParse(rawInput);
  if (!input.success) {
    // The input is never logged: credentials.set carries a password.
    return {
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: describeZodError(input.error),
        issues: issuesOf(input.error) ?? [],
      },
    };
  }
  try {
    const value = await handler(input.data);
    return { ok: true, value: def.output.parse(value) };
  } catch (err) {
    const error = toCallError(err);
    if (error.code === 'INTERNAL') log.error(`call ${name} failed`, { message: error.message });
    return { ok: false, error };
  }
}

/** The payload as its schema parses it, or undefined (and a log line) when it does not match: not sent. */
export function checkedEvent<E extends EventName>(
  name: E,
  payload: EventPayload<E>,
  log: ServiceLogger,
): EventPayload<E> | undefined {
  const parsed = eventSchemas[name].payload.safeParse(payload);
  if (parsed.success) return parsed.data as EventPayload<E>;
  log.error(`event ${name} does not match its schema; not sent`, { problem: describeZodError(parsed.error) });
  return undefined;
}
