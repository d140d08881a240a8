// What the shared services need from their host (the Electron main process, or the browser bridge).
import type { CallOutput, CallParsedInput } from '../contract/calls.js';
import type { CallName } from '../contract/names.js';

/** The log both hosts give the services; main's Logger (main/log.ts) is one. */
export interface ServiceLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export type Handler<N extends CallName> = (input: CallParsedInput<N>) => Promise<CallOutput<N>>;
/** One function per call of the contract: the compiler demands every call and nothing else. */
export type Handlers = { [N in CallName]: Handler<N> };
