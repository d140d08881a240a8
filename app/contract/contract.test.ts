import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../util/errors.js';
import { calls } from './calls.js';
import { ShellError, resultSchema, toCallError } from './envelope.js';
import { events } from './events.js';
import { CALL_NAMES, EVENT_NAMES, callChannel, eventChannel, isCallName, isEventName } from './names.js';
import { credentialsInputSchema } from './values.js';

describe('contract names', () => {
  it('lists exactly the calls and events that are defined', () => {
    expect([...CALL_NAMES].sort()).toEqual(Object.keys(calls).sort());
    expect([...EVENT_NAMES].sort()).toEqual(Object.keys(events).sort());
  });

  it('gives every call and event its own channel', () => {
    const channels = [...CALL_NAMES.map(callChannel), ...EVENT_NAMES.map(eventChannel)];
    expect(new Set(channels).size).toBe(channels.length);
    expect(callChannel('mirror.up')).toBe('drpc:call:mirror.up');
    expect(eventChannel('notice')).toBe('drpc:event:notice');
  });

  it('recognises names only from the lists', () => {
    expect(isCallName('settings.get')).toBe(true);
    expect(isCallName('toString')).toBe(false);
    expect(isCallName(42)).toBe(false);
    expect(isEventName('mirror.status')).toBe(true);
    expect(isEventName('mirror.up')).toBe(false);
  });

  it('documents every call', () => {
    for (const def of Object.values(calls)) expect(def.summary.length).toBeGreaterThan(10);
  });
});

describe('call inputs', () => {
  it('takes no input where none is needed, and refuses one', () => {
    expect(calls['mirror.status'].input.safeParse(undefined).success).toBe(true);
    expect(calls['mirror.status'].input.safeParse({ any: 1 }).success).toBe(false);
  });

  it('checks the optional inputs of verify and logs', () => {
    expect(calls['mirror.verify'].input.safeParse(undefined).success).toBe(true);
    expect(calls['mirror.verify'].input.safeParse({ image: 'alpine:3.20' }).success).toBe(true);
    expect(calls['mirror.verify'].input.safeParse({ image: 'Not An Image' }).success).toBe(false);
    expect(calls['mirror.logs'].input.safeParse({ tail: 0 }).success).toBe(false);
  });

  it('refuses credentials with control characters or nothing in them', () => {
    expect(credentialsInputSchema.safeParse({ username: 'alice', password: 'p4ss' }).success).toBe(true);
    expect(credentialsInputSchema.safeParse({ username: 'alice', password: '' }).success).toBe(false);
    expect(credentialsInputSchema.safeParse({ username: 'al ice', password: 'x' }).success).toBe(false);
    expect(credentialsInputSchema.safeParse({ username: 'alice', password: 'a\u0000b' }).success).toBe(false);
  });

  it('never puts a password in any output', () => {
    const outputs = JSON.stringify(
      Object.values(calls).map((c) => z.toJSONSchema(c.output, { unrepresentable: 'any', io: 'output' })),
    );
    expect(outputs).not.toMatch(/password/i);
  });
});

describe('toCallError', () => {
  it('keeps the code and message of core and shell errors', () => {
    expect(toCallError(new ShellError('BUSY', 'busy'))).toEqual({ code: 'BUSY', message: 'busy' });
    expect(toCallError(new AppError('NOT_CREATED', 'run up first'))).toEqual({
      code: 'NOT_CREATED',
      message: 'run up first',
    });
  });

  it('passes on issues and plain details only', () => {
    const err = new AppError('INVALID_INPUT', 'bad', {
      issues: [{ path: 'mirror.port', message: 'too big' }],
      port: 70000,
      nested: { a: 1 },
    });
    expect(toCallError(err)).toEqual({
      code: 'INVALID_INPUT',
      message: 'bad',
      issues: [{ path: 'mirror.port', message: 'too big' }],
      details: { port: 70000 },
    });
  });

  it('turns zod errors into INVALID_INPUT with paths, and anything else into INTERNAL', () => {
    const zodError = z.object({ a: z.number() }).safeParse({ a: 'x' }).error;
    expect(toCallError(zodError)).toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: 'a' }] });
    expect(toCallError(new Error('boom'))).toEqual({ code: 'INTERNAL', message: 'boom' });
    expect(toCallError('weird')).toEqual({ code: 'INTERNAL', message: 'weird' });
  });

  it('produces envelopes the result schema accepts', () => {
    const schema = resultSchema(z.number());
    expect(schema.safeParse({ ok: true, value: 1 }).success).toBe(true);
    expect(schema.safeParse({ ok: false, error: toCallError(new Error('x')) }).success).toBe(true);
    expect(schema.safeParse({ ok: false, error: { code: 'NOPE', message: 'x' } }).success).toBe(false);
  });
});
