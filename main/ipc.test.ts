import { describe, expect, it, vi } from 'vitest';
import { CALL_NAMES, callChannel, eventChannel } from '../app/contract/names.js';
import { AppError } from '../app/util/errors.js';
import { createLogger } from './log.js';
import {
  createEventSender,
  dispatch,
  registerCalls,
  type CallerEvent,
  type CallerPolicy,
  type Handlers,
  type IpcMainPort,
} from './ipc.js';
import { statusIn } from './testing/status.js';

const OURS = 'file:///app/out/renderer/index.html';
const policy: CallerPolicy = {
  isOurWebContents: (c) => c.id === 1,
  isTrustedUrl: (url) => url.split('#')[0] === OURS,
};

function event(
  opts: { url?: string; contentsId?: number; subframe?: boolean; gone?: boolean } = {},
): CallerEvent {
  const main = { url: opts.url ?? `${OURS}#popover`, frameToken: 'main', parent: null };
  const sub = { url: opts.url ?? OURS, frameToken: 'sub', parent: main };
  return {
    sender: { id: opts.contentsId ?? 1, mainFrame: { frameToken: 'main' } },
    senderFrame: opts.gone ? null : opts.subframe ? sub : main,
  };
}

function logCapture() {
  const lines: string[] = [];
  return { lines, log: createLogger((l) => lines.push(l)) };
}

describe('dispatch', () => {
  it('validates the input and returns the value in an ok envelope', async () => {
    const { log } = logCapture();
    const handler = vi.fn(async (input: { openAtLogin: boolean }) => ({
      openAtLogin: input.openAtLogin,
      status: 'enabled' as const,
      message: 'The app opens when you log in.',
    }));
    const result = await dispatch('app.loginItem.set', handler, event(), { openAtLogin: true }, policy, log);
    expect(result).toEqual({
      ok: true,
      value: { openAtLogin: true, status: 'enabled', message: 'The app opens when you log in.' },
    });
    expect(handler).toHaveBeenCalledWith({ openAtLogin: true });
  });

  it('rejects invalid input with field issues, without calling the handler', async () => {
    const { log } = logCapture();
    const handler = vi.fn();
    const result = await dispatch(
      'settings.update',
      handler,
      event(),
      { mirror: { port: 70000, colour: 'red' } },
      policy,
      log,
    );
    expect(handler).not.toHaveBeenCalled();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('INVALID_INPUT');
    expect(result.error.issues?.map((i) => i.path)).toEqual(
      expect.arrayContaining(['mirror.port', 'mirror']),
    );
    expect(result.error.message).toMatch(/port must be between 1 and 65535/);
  });

  it('rejects a call from a foreign frame, a sub-frame, another web contents or a gone frame', async () => {
    const handler = vi.fn(async () => statusIn('running'));
    const cases: [CallerEvent, RegExp][] = [
      [event({ url: 'https://evil.example/' }), /https:\/\/evil\.example are refused/],
      [event({ url: 'file:///tmp/other.html' }), /another local file/],
      [event({ subframe: true }), /sub-frames/],
      [event({ contentsId: 7 }), /not one of our windows/],
      [event({ gone: true }), /frame is gone/],
    ];
    for (const [ev, message] of cases) {
      const { lines, log } = logCapture();
      const result = await dispatch('mirror.status', handler, ev, undefined, policy, log);
      expect(result).toEqual({
        ok: false,
        error: { code: 'FORBIDDEN', message: expect.stringMatching(message) },
      });
      expect(lines.join('\n')).toMatch(/refused an IPC call/);
    }
    expect(handler).not.toHaveBeenCalled();
  });

  it('returns thrown errors as data with their code and plain details', async () => {
    const { log } = logCapture();
    const result = await dispatch(
      'mirror.up',
      async () => {
        throw new AppError('PORT_IN_USE', 'port 5000 is in use', {
          port: 5000,
          suggestion: 5001,
          nested: { x: 1 },
        });
      },
      event(),
      undefined,
      policy,
      log,
    );
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'PORT_IN_USE',
        message: 'port 5000 is in use',
        details: { port: 5000, suggestion: 5001 },
      },
    });
  });

  it('reports an unexpected error as INTERNAL and logs it', async () => {
    const { lines, log } = logCapture();
    const result = await dispatch(
      'mirror.logs',
      async () => Promise.reject(new Error('socket hang up')),
      event(),
      {},
      policy,
      log,
    );
    expect(result).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'socket hang up' } });
    expect(lines.join('\n')).toMatch(/call mirror.logs failed.*socket hang up/);
  });

  it('strips anything a handler returns beyond the contract, such as a password', async () => {
    const { log } = logCapture();
    const leaky = { configured: true, username: 'alice', password: 's3cret-pass' };
    const result = await dispatch('credentials.get', async () => leaky, event(), undefined, policy, log);
    expect(result).toEqual({ ok: true, value: { configured: true, username: 'alice' } });
    expect(JSON.stringify(result)).not.toContain('s3cret');
  });

  it('refuses to return an output that breaks the contract', async () => {
    const { log } = logCapture();
    const result = await dispatch(
      'mirror.down',
      // @ts-expect-error: a handler returning the wrong shape is what this test is about
      async () => ({ stopped: 'yes' }),
      event(),
      undefined,
      policy,
      log,
    );
    expect(result.ok).toBe(false);
  });

  it('never logs call input, even invalid credentials', async () => {
    const { lines, log } = logCapture();
    const handler = vi.fn();
    await dispatch(
      'credentials.set',
      handler,
      event(),
      { username: 'a b', password: 'hunter2-secret' },
      policy,
      log,
    );
    await dispatch(
      'credentials.set',
      handler,
      event({ url: 'https://evil.example' }),
      { username: 'x', password: 'hunter2-secret' },
      policy,
      log,
    );
    expect(lines.join('\n')).not.toContain('hunter2');
    expect(handler).not.toHaveBeenCalled();
  });
});

describe('registerCalls', () => {
  it('registers every call of the contract on its channel, and removes them all', async () => {
    const channels = new Map<string, Parameters<IpcMainPort['handle']>[1]>();
    const ipc: IpcMainPort = {
      handle: (channel, listener) => channels.set(channel, listener),
      removeHandler: (channel) => channels.delete(channel),
    };
    const status = statusIn('stopped');
    const handlers = Object.fromEntries(
      CALL_NAMES.map((n) => [n, async () => (n === 'mirror.status' ? status : null)]),
    ) as unknown as Handlers;
    const { log } = logCapture();
    const unregister = registerCalls(ipc, handlers, policy, log);
    expect([...channels.keys()].sort()).toEqual(CALL_NAMES.map(callChannel).sort());
    const listener = channels.get('drpc:call:mirror.status');
    expect(await listener?.(event(), undefined)).toEqual({ ok: true, value: status });
    unregister();
    expect(channels.size).toBe(0);
  });
});

describe('createEventSender', () => {
  it('sends a validated payload to every live window and drops an invalid one', () => {
    const sent: [number, string, unknown][] = [];
    const target = (id: number, destroyed = false) => ({
      isDestroyed: () => destroyed,
      send: (channel: string, payload: unknown) => sent.push([id, channel, payload]),
    });
    const { lines, log } = logCapture();
    const send = createEventSender(() => [target(1), target(2, true), target(3)], log);
    send('mirror.operation', 'up');
    expect(sent).toEqual([
      [1, eventChannel('mirror.operation'), 'up'],
      [3, eventChannel('mirror.operation'), 'up'],
    ]);
    // @ts-expect-error: an invalid payload is what this test is about
    send('mirror.status', { state: 'exploded' });
    expect(sent).toHaveLength(2);
    expect(lines.join('\n')).toMatch(/event mirror.status does not match its schema/);
  });
});
