// The one way main answers the renderer: every call goes through `registerCalls`, which checks the
// caller is the main frame of one of our windows showing our page, then runs it as every front end does
// (app/core/dispatch.ts: input and output checked against the contract, any failure turned into
// `{ok: false, error: {code, message}}` data). Events go out
// through `createEventSender`, validated against their schemas too.
import type { WebContents } from 'electron';
import type { CallOutput, CallParsedInput } from '../app/contract/calls.js';
import type { Result } from '../app/contract/envelope.js';
import { checkedEvent, runCall } from '../app/core/dispatch.js';
import type { EventPayload } from '../app/contract/events.js';
import {
  CALL_NAMES,
  callChannel,
  eventChannel,
  type CallName,
  type EventName,
} from '../app/contract/names.js';
import type { Logger } from './log.js';

export type Handler<N extends CallName> = (input: CallParsedInput<N>) => Promise<CallOutput<N>>;
export type Handlers = { [N in CallName]: Handler<N> };

/** What we read of an IpcMainInvokeEvent (the real one has more). */
export interface CallerEvent {
  sender: { id: number; mainFrame: { frameToken: string } };
  senderFrame: { url: string; frameToken: string; parent: unknown } | null;
}

/** The part of ipcMain we use. */
export interface IpcMainPort {
  handle(channel: string, listener: (event: CallerEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface CallerPolicy {
  /** is this one of our windows' web contents */
  isOurWebContents(contents: { id: number }): boolean;
  /** is this our renderer's page (file or dev server) */
  isTrustedUrl(url: string): boolean;
}

/** Why a caller is refused, or undefined when it may call. */
export function callerProblem(event: CallerEvent, policy: CallerPolicy): string | undefined {
  const frame = event.senderFrame;
  if (!frame) return 'the calling frame is gone';
  if (!policy.isOurWebContents(event.sender)) return 'the caller is not one of our windows';
  // Only the top-level page: an iframe, even one of ours, never gets the API's powers.
  if (frame.parent !== null || frame.frameToken !== event.sender.mainFrame.frameToken) {
    return 'calls from sub-frames are refused';
  }
  if (!policy.isTrustedUrl(frame.url)) return `calls from ${originOf(frame.url)} are refused`;
  return undefined;
}

function originOf(url: string): string {
  try {
    const u = new URL(url);
    return u.protocol === 'file:' ? 'another local file' : u.origin;
  } catch {
    return 'an unknown page';
  }
}

/** Runs one call: caller check, input validation, handler, output validation. Never throws. */
export async function dispatch<N extends CallName>(
  name: N,
  handler: Handler<N>,
  event: CallerEvent,
  rawInput: unknown,
  policy: CallerPolicy,
  log: Logger,
): Promise<Result<CallOutput<N>>> {
  const problem = callerProblem(event, policy);
  if (problem) {
    log.warn('refused an IPC call', { call: name, reason: problem });
    return { ok: false, error: { code: 'FORBIDDEN', message: problem } };
  }
  return runCall(name, handler, rawInput, log);
}

/** Registers a handler for every call in the contract; returns the function that removes them. */
export function registerCalls(
  ipc: IpcMainPort,
  handlers: Handlers,
  policy: CallerPolicy,
  log: Logger,
): () => void {
  const register = <N extends CallName>(name: N) =>
    ipc.handle(callChannel(name), (event, ...args) =>
      dispatch(name, handlers[name], event, args[0], policy, log),
    );
  for (const name of CALL_NAMES) register(name);
  return () => {
    for (const name of CALL_NAMES) ipc.removeHandler(callChannel(name));
  };
}

export type EventSender = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

/** Sends validated events to every live window of ours. */
export function createEventSender(
  targets: () => Iterable<Pick<WebContents, 'send' | 'isDestroyed'>>,
  log: Logger,
): EventSender {
  return (name, payload) => {
    const checked = checkedEvent(name, payload, log);
    if (checked === undefined) return;
    for (const contents of targets()) {
      if (!contents.isDestroyed()) contents.send(eventChannel(name), checked);
    }
  };
}
