// The one API object the preload exposes as `window.drpc`, the renderer uses, and a test bridge
// implements. Type-only imports of the schemas: the preload bundle carries no zod.
import type { CallInput, CallOutput } from './calls.js';
import type { Result } from './envelope.js';
import type { EventPayload } from './events.js';
import {
  callChannel,
  eventChannel,
  isCallName,
  isEventName,
  type CallName,
  type EventName,
} from './names.js';

/** A call whose input may be left out takes an optional argument. */
export type CallArgs<N extends CallName> =
  undefined extends CallInput<N> ? [input?: CallInput<N>] : [input: CallInput<N>];

export interface DrpcApi {
  /** contract version; bumps when a call changes incompatibly */
  readonly version: 1;
  /** Calls main. Never rejects: failures come back as `{ok: false, error: {code, message}}`. */
  call<N extends CallName>(name: N, ...args: CallArgs<N>): Promise<Result<CallOutput<N>>>;
  /** Listens to an event; returns the function that stops listening. */
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** How the preload reaches main: ipcRenderer underneath, never handed to the page. */
export interface Transport {
  invoke(channel: string, input: unknown): Promise<unknown>;
  subscribe(channel: string, listener: (payload: unknown) => void): () => void;
}

export function createDrpcApi(transport: Transport): DrpcApi {
  return Object.freeze({
    version: 1 as const,
    async call<N extends CallName>(name: N, ...args: CallArgs<N>): Promise<Result<CallOutput<N>>> {
      if (!isCallName(name)) {
        return { ok: false, error: { code: 'INVALID_INPUT', message: `unknown call ${String(name)}` } };
      }
      try {
        const reply = await transport.invoke(callChannel(name), args[0]);
        // Main builds every reply from the output schema; only its shape is checked here.
        if (isEnvelope(reply)) return reply as Result<CallOutput<N>>;
        return { ok: false, error: { code: 'INTERNAL', message: `malformed reply to ${name}` } };
      } catch (err) {
        return { ok: false, error: { code: 'INTERNAL', message: messageOf(err) } };
      }
    },
    on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
      if (!isEventName(name)) throw new TypeError(`unknown event ${String(name)}`);
      // Main validated the payload against the event's schema before sending it.
      return transport.subscribe(eventChannel(name), (payload) => listener(payload as EventPayload<E>));
    },
  });
}

// Duck-typed: the rejection may come from another realm, where `instanceof Error` is false.
function messageOf(err: unknown): string {
  const m = typeof err === 'object' && err !== null ? (err as { message?: unknown }).message : undefined;
  return typeof m === 'string' ? m : String(err);
}

function isEnvelope(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { ok?: unknown; value?: unknown; error?: { code?: unknown; message?: unknown } };
  if (v.ok === true) return 'value' in v;
  return v.ok === false && typeof v.error?.code === 'string' && typeof v.error.message === 'string';
}
