// The CLI's side of the owner's socket: send one contract call, stream its progress, return its answer
// (or throw its error as the core's AppError, so the CLI prints it and exits as it would have).
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CallInput, CallOutput } from '../contract/calls.js';
import { callErrorSchema, type CallError } from '../contract/envelope.js';
import { AppError, type ErrorCode } from '../util/errors.js';
import { ownerSocketPath, type ForwardedEvent, type OwnerCall } from './protocol.js';

export type OwnerEvent = { event: ForwardedEvent; payload: unknown };

/** The owner answered with an error of the shell (BUSY, FORBIDDEN) or the core. */
export class OwnerCallError extends AppError {
  constructor(readonly callError: CallError) {
    const core = ['BUSY', 'FORBIDDEN', 'SECRETS_UNAVAILABLE'].includes(callError.code)
      ? 'INTERNAL'
      : (callError.code as ErrorCode);
    super(core, callError.message, callError.details);
  }
}

/** The owner is not listening (yet, or any more). */
export class OwnerUnreachableError extends Error {}

/** One request, one answer; events in between go to onEvent. */
export function request(home: string, body: unknown, onEvent?: (e: OwnerEvent) => void): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(ownerSocketPath(home));
    let buffer = '';
    let answered = false;
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(JSON.stringify(body) + '\n'));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        const msg = JSON.parse(line) as { event?: ForwardedEvent; payload?: unknown; result?: unknown };
        if (msg.event) onEvent?.({ event: msg.event, payload: msg.payload });
        else if ('result' in msg) {
          answered = true;
          resolve(msg.result);
        }
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (answered) return;
      if (['ENOENT', 'ECONNREFUSED', 'ENOTSOCK'].includes(err.code ?? ''))
        reject(new OwnerUnreachableError(err.message));
      else reject(err);
    });
    socket.on('close', () => {
      if (!answered) reject(new OwnerUnreachableError('the owner closed the connection without answering'));
    });
  });
}

export interface CallOptions {
  onEvent?: (e: OwnerEvent) => void;
  /** told once when the owner is busy with another operation and this waits for it */
  onBusy?: (message: string) => void;
  /** how long to wait for an owner that holds the lock but does not listen yet (starting) */
  connectTimeoutMs?: number;
}

/** Calls the owner; waits while it is busy with another operation (never interleaves with it). */
export async function callOwner<N extends OwnerCall>(
  home: string,
  name: N,
  input: CallInput<N>,
  opts: CallOptions = {},
): Promise<CallOutput<N>> {
  const connectDeadline = Date.now() + (opts.connectTimeoutMs ?? 10_000);
  let toldBusy = false;
  for (;;) {
    let raw: unknown;
    try {
      raw = await request(home, { call: name, input }, opts.onEvent);
    } catch (err) {
      if (err instanceof OwnerUnreachableError && Date.now() < connectDeadline) {
        await sleep(100);
        continue;
      }
      throw err;
    }
    const r = raw as { ok: boolean; value?: unknown; error?: unknown };
    if (r.ok) return r.value as CallOutput<N>;
    const error = callErrorSchema.parse(r.error);
    if (error.code === 'BUSY') {
      if (!toldBusy) opts.onBusy?.(error.message);
      toldBusy = true;
      await sleep(250);
      continue;
    }
    throw new OwnerCallError(error);
  }
}

/** Asks the owner to stop keeping the mirror and let go of the lock (the container stays as it is). */
export async function askHandover(home: string): Promise<void> {
  const r = (await request(home, { handover: true })) as { ok: boolean; error?: unknown };
  if (!r.ok) throw new OwnerCallError(callErrorSchema.parse(r.error));
}
