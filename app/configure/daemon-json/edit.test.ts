import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runs } from '../../../testbed/property.js';
import { addMirror, hasMirror, removeMirror } from './edit.js';
import { DaemonJsonError } from './errors.js';
import { normalizeMirrorUrl, sameMirror } from './normalize.js';

const BOM = '\uFEFF';
const KEY = 'registry-mirrors';
const M = 'http://localhost:5000';

describe('addMirror: examples', () => {
  it('appends the key in the file’s own style (tabs, no final newline)', () => {
    const text = '{\n\t"debug": true,\n\t"dns": ["1.1.1.1"]\n}';
    expect(addMirror(text, M)).toEqual({
      text: '{\n\t"debug": true,\n\t"dns": ["1.1.1.1"],\n\t"registry-mirrors": [\n\t\t"http://localhost:5000"\n\t]\n}',
      changed: true,
    });
  });

  it('keeps a BOM, CRLF line ends and the final newline', () => {
    const text = `${BOM}{\r\n    "a": "é🐳",\r\n    "registry-mirrors": [\r\n        "https://m.example"\r\n    ]\r\n}\r\n`;
    expect(addMirror(text, M).text).toBe(
      `${BOM}{\r\n    "a": "é🐳",\r\n    "registry-mirrors": [\r\n        "https://m.example",\r\n        "http://localhost:5000"\r\n    ]\r\n}\r\n`,
    );
  });

  it('writes minified into a minified file and spaced into a one-line file', () => {
    expect(addMirror('{"a":1}', M).text).toBe('{"a":1,"registry-mirrors":["http://localhost:5000"]}');
    expect(addMirror('{ "a" : 1 }', M).text).toBe(
      '{ "a" : 1, "registry-mirrors" : ["http://localhost:5000"] }',
    );
    expect(addMirror('{"a": ["x"], "registry-mirrors": []}', M).text).toBe(
      '{"a": ["x"], "registry-mirrors": ["http://localhost:5000"]}',
    );
  });

  it('fills an empty list, an empty object and an empty file as JSON.stringify(…, 2) would', () => {
    expect(addMirror('{\n  "registry-mirrors": []\n}\n', M).text).toBe(
      '{\n  "registry-mirrors": [\n    "http://localhost:5000"\n  ]\n}\n',
    );
    const fresh = JSON.stringify({ [KEY]: [M] }, null, 2);
    expect(addMirror('{}', M).text).toBe(fresh);
    expect(addMirror('', M).text).toBe(`${fresh}\n`);
    expect(addMirror(`${BOM}\n`, M).text).toBe(`${BOM}${fresh}\n`);
  });

  it('follows comma-first layouts and keeps escapes and unicode exactly as written', () => {
    const text = '{\n  "caf\\u00e9": "\\ud83d\\udc33 \u00e9"\n  , "b": {"x": [1, 2]}\n}\n';
    expect(addMirror(text, M).text).toBe(
      '{\n  "caf\\u00e9": "\\ud83d\\udc33 \u00e9"\n  , "b": {"x": [1, 2]}\n  , "registry-mirrors": [\n    "http://localhost:5000"\n  ]\n}\n',
    );
  });

  it('writes the normalised URL and does not duplicate an equivalent one', () => {
    expect(addMirror('{}', 'HTTP://LocalHost:5000/').text).toContain('"http://localhost:5000"');
    for (const existing of ['http://localhost:5000/', 'HTTP://LOCALHOST:5000', 'http://localhost:5000//']) {
      const text = `{"registry-mirrors": [${JSON.stringify(existing)}]}`;
      expect(addMirror(text, M)).toEqual({ text, changed: false });
    }
    const port80 = '{"registry-mirrors": ["http://mirror.example:80/"]}';
    expect(addMirror(port80, 'http://mirror.example').changed).toBe(false);
  });

  it('edits the last of duplicate keys (the one JSON.parse and dockerd use) and leaves the first alone', () => {
    const text = '{"registry-mirrors": ["http://a"], "b": 1, "registry-mirrors": []}';
    expect(addMirror(text, M).text).toBe(
      '{"registry-mirrors": ["http://a"], "b": 1, "registry-mirrors": ["http://localhost:5000"]}',
    );
    // The earlier duplicate does not count: our URL there is dead text.
    expect(addMirror(`{"registry-mirrors": ["${M}"], "registry-mirrors": []}`, M).changed).toBe(true);
  });

  it('rejects a bad mirror URL and a bad document with typed errors', () => {
    expect(() => addMirror('{}', 'localhost:5000')).toThrow(DaemonJsonError);
    const codes = ['{"a":', '[]', '{"registry-mirrors": "http://x"}', '{"registry-mirrors": [1]}'].map(
      (t) => {
        try {
          addMirror(t, M);
          return 'none';
        } catch (err) {
          return (err as DaemonJsonError).code;
        }
      },
    );
    expect(codes).toEqual(['INVALID_JSON', 'NOT_AN_OBJECT', 'BAD_MIRRORS', 'BAD_MIRRORS']);
  });
});

describe('removeMirror: examples', () => {
  it('removes every equivalent entry and keeps the neighbours’ layout', () => {
    const text =
      '{\n  "registry-mirrors": [\n    "http://localhost:5000/",\n    "https://x",\n    "HTTP://LOCALHOST:5000"\n  ]\n}';
    expect(removeMirror(text, M)).toEqual({
      text: '{\n  "registry-mirrors": [\n    "https://x"\n  ]\n}',
      changed: true,
    });
  });

  it('drops a key left empty only when asked, and never when another occurrence would take over', () => {
    const text = '{"a": 1, "registry-mirrors": ["http://localhost:5000"], "b": 2}';
    expect(removeMirror(text, M).text).toBe('{"a": 1, "registry-mirrors": [], "b": 2}');
    expect(removeMirror(text, M, { dropEmptyKey: true }).text).toBe('{"a": 1, "b": 2}');
    const dup = '{"registry-mirrors": ["http://x"], "registry-mirrors": ["http://localhost:5000"]}';
    expect(removeMirror(dup, M, { dropEmptyKey: true }).text).toBe(
      '{"registry-mirrors": ["http://x"], "registry-mirrors": []}',
    );
  });

  it('changes nothing when the mirror is not there', () => {
    const text = '{ "registry-mirrors": ["https://localhost:5000"] }\n';
    expect(removeMirror(text, M)).toEqual({ text, changed: false });
    expect(removeMirror('{}', M)).toEqual({ text: '{}', changed: false });
    expect(hasMirror(text, M)).toBe(false);
  });
});

// ---- Property-based: generated daemon.json documents ------------------------------------------

interface Ours {
  mirror: string;
  equivalents: string[];
  lookalikes: string[];
}
const OURS: Ours[] = [
  {
    mirror: 'http://localhost:5000',
    equivalents: ['HTTP://LOCALHOST:5000/', 'http://localhost:5000//', 'Http://LocalHost:5000'],
    lookalikes: [
      'https://localhost:5000',
      'http://localhost:5001',
      'localhost:5000',
      ' http://localhost:5000',
      'http://localhost:5000/v2',
    ],
  },
  {
    mirror: 'http://mirror.internal',
    equivalents: ['http://mirror.internal:80', 'HTTP://Mirror.Internal:80/', 'http://mirror.internal/'],
    lookalikes: [
      'https://mirror.internal',
      'http://mirror.internal:8080',
      'http://mirror.internal.',
      'mirror.internal',
    ],
  },
  {
    mirror: 'https://[::1]:5443/cache',
    equivalents: ['https://[0:0:0:0:0:0:0:1]:5443/cache/', 'HTTPS://[::1]:5443/cache//'],
    lookalikes: ['https://[::1]:5443/Cache', 'https://[::1]/cache', 'http://[::1]:5443/cache'],
  },
];

const key = fc
  .oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'registry-mirrors ',
        'Registry-Mirrors',
        'registry-mirror',
        'registry\u2011mirrors',
        'registry-mirrors\u0000',
        '"registry-mirrors"',
        'registry-mirrors\\',
        'insecure-registries',
        '__proto__',
        '1',
        '0',
        '',
        '\ud800',
        'debug',
      ),
    },
  )
  .filter((k) => k !== KEY);

const value = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3, stringUnit: 'grapheme' }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(KEY, 'x'), fc.array(fc.constantFrom(M, '{', ']'))) },
);

const whitespace = fc.array(fc.constantFrom('', '', ' ', '\n', '\t', '\r\n', '\n    ', '  '), {
  minLength: 1,
  maxLength: 40,
});

/** `null` (n-1) times out of n. */
const rarely = <T>(arb: fc.Arbitrary<T>, n: number) =>
  fc.oneof({ weight: n - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

const scenario = fc.constantFrom(...OURS).chain((ours) =>
  fc.record({
    ours: fc.constant(ours),
    entries: fc.uniqueArray(fc.tuple(key, value), { maxLength: 6, selector: ([k]) => k }),
    mirrors: fc.option(
      fc.record({
        others: fc.array(
          fc.oneof(fc.webUrl(), fc.string({ maxLength: 8 }), fc.constantFrom(...ours.lookalikes)),
          {
            maxLength: 4,
          },
        ),
        ours: fc.option(fc.constantFrom(ours.mirror, ...ours.equivalents), { nil: null, freq: 2 }),
        at: fc.nat(),
      }),
      { nil: null, freq: 2 },
    ),
    pos: fc.nat(),
    layout: fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({
          kind: fc.constant('stringify' as const),
          indent: fc.constantFrom<number | string>(0, 1, 2, 4, '\t', ' \t'),
        }),
      },
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('scrambled' as const), ws: whitespace }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('empty' as const) }) },
    ),
    crlf: fc.boolean(),
    escapes: rarely(fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }), 3),
    dup: rarely(fc.constantFrom('[]', '["http://dup.example"]', `["${ours.mirror}"]`), 6),
    bom: fc.boolean(),
    lead: fc.constantFrom('', '', '\n', ' '),
    trail: fc.constantFrom('', '\n', '\n', '\r\n', '\n\n', ' '),
  }),
);
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function entriesOf(s: Scenario): [string, unknown][] {
  const entries: [string, unknown][] = [...s.entries];
  if (s.mirrors) {
    const list = [...s.mirrors.others];
    if (s.mirrors.ours !== null) list.splice(s.mirrors.at % (list.length + 1), 0, s.mirrors.ours);
    entries.splice(s.pos % (entries.length + 1), 0, [KEY, list]);
  }
  return entries;
}

// Re-lays out compact JSON with the given whitespace around every structural character.
function scramble(compact: string, ws: string[]): string {
  let out = '';
  let k = 0;
  let inString = false;
  for (let i = 0; i < compact.length; i++) {
    const c = compact[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += compact[++i];
      else if (c === '"') inString = false;
    } else if ('{}[],:'.includes(c)) {
      out += ws[k++ % ws.length]! + c + ws[k++ % ws.length]!;
    } else {
      out += c;
      inString = c === '"';
    }
  }
  return out;
}

// Spells some characters inside strings (keys included) as \uXXXX escapes.
function escapeSome(text: string, bits: boolean[]): string {
  let out = '';
  let k = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (!inString) {
      out += c;
      inString = c === '"';
    } else if (c === '\\') {
      const n = text[i + 1] === 'u' ? 6 : 2;
      out += text.slice(i, i + n);
      i += n - 1;
    } else if (c === '"') {
      out += c;
      inString = false;
    } else {
      out += bits[k++ % bits.length] ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c;
    }
  }
  return out;
}

function render(s: Scenario): string {
  const obj = Object.fromEntries(entriesOf(s));
  let body = '';
  if (s.layout.kind === 'stringify') body = JSON.stringify(obj, null, s.layout.indent);
  if (s.layout.kind === 'scrambled') body = scramble(JSON.stringify(obj), s.layout.ws);
  if (s.crlf) body = body.replaceAll('\n', '\r\n');
  if (s.escapes) body = escapeSome(body, s.escapes);
  if (s.dup !== null && Object.keys(obj).length > 0) body = body.replace('{', `{"${KEY}": ${s.dup},`);
  return (s.bom ? BOM : '') + s.lead + body + s.trail;
}

function valueOf(text: string): Record<string, unknown> {
  const body = text.startsWith(BOM) ? text.slice(1) : text;
  return /^[ \t\r\n]*$/.test(body) ? {} : (JSON.parse(body) as Record<string, unknown>);
}
const othersOf = (v: Record<string, unknown>) => JSON.stringify(Object.entries(v).filter(([k]) => k !== KEY));
const mirrorsOf = (v: Record<string, unknown>) => (Object.hasOwn(v, KEY) ? (v[KEY] as string[]) : []);
const countOurs = (list: string[], mirror: string) => list.filter((m) => sameMirror(m, mirror)).length;
const afterLastBrace = (text: string) => text.slice(text.lastIndexOf('}') + 1);

/** What changed between a and b: the middle parts left after removing the common prefix and suffix. */
function diff(a: string, b: string): { removed: string; inserted: string } {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return { removed: a.slice(p, a.length - s), inserted: b.slice(p, b.length - s) };
}

describe('addMirror / removeMirror: properties over generated documents', () => {
  it('keeps everything else, adds the mirror once, is idempotent, and edits minimally', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const text = render(s);
        const { mirror } = s.ours;
        const before = valueOf(text);
        const result = addMirror(text, mirror);
        const after = valueOf(result.text); // always parses

        expect(othersOf(after)).toBe(othersOf(before)); // every other key and value, in order
        const had = countOurs(mirrorsOf(before), mirror);
        expect(countOurs(mirrorsOf(after), mirror)).toBe(Math.max(1, had));
        if (had > 0) {
          expect(result).toEqual({ text, changed: false });
        } else {
          expect(result.changed).toBe(true);
          expect(mirrorsOf(after)).toEqual([...mirrorsOf(before), normalizeMirrorUrl(mirror)]);
        }

        // Only whitespace may be replaced; everything else is an insertion at one place.
        expect(diff(text, result.text).removed).toMatch(/^[ \t\r\n]*$/);
        expect(result.text.startsWith(BOM)).toBe(text.startsWith(BOM));
        if (text.includes('}')) expect(afterLastBrace(result.text)).toBe(afterLastBrace(text));

        expect(addMirror(result.text, mirror)).toEqual({ text: result.text, changed: false });
        for (const eq of s.ours.equivalents) expect(addMirror(result.text, eq).changed).toBe(false);
      }),
      runs(2000),
    );
  });

  it('lays out inserted text exactly as JSON.stringify would at the file’s indentation', () => {
    const stringified = scenario.filter(
      (s) => s.layout.kind === 'stringify' && s.escapes === null && s.dup === null && entriesOf(s).length > 0,
    );
    fc.assert(
      fc.property(stringified, (s) => {
        const result = addMirror(render(s), s.ours.mirror);
        fc.pre(result.changed);
        const indent = s.layout.kind === 'stringify' ? s.layout.indent : 0;
        const expected = Object.fromEntries(entriesOf(s));
        expected[KEY] = [...mirrorsOf(expected), normalizeMirrorUrl(s.ours.mirror)];
        let body = JSON.stringify(expected, null, indent);
        if (s.crlf) body = body.replaceAll('\n', '\r\n');
        expect(result.text).toBe((s.bom ? BOM : '') + s.lead + body + s.trail);
      }),
      runs(500),
    );
  });

  it('removeMirror right after addMirror gives back the same content, and the same bytes when it can', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const text = render(s);
        const added = addMirror(text, s.ours.mirror);
        fc.pre(added.changed);
        const before = valueOf(text);
        const hadKey = Object.hasOwn(before, KEY);
        const removed = removeMirror(added.text, s.ours.mirror, { dropEmptyKey: !hadKey });
        expect(removed.changed).toBe(true);
        expect(JSON.stringify(valueOf(removed.text))).toBe(JSON.stringify(before));
        expect(diff(added.text, removed.text).inserted).toMatch(/^[ \t\r\n]*$/);
        // Appended to a non-empty list or object: the removal is the exact inverse.
        const nonEmptyRoot = s.layout.kind !== 'empty' && Object.keys(before).length > 0;
        if (mirrorsOf(before).length > 0 || (!hadKey && nonEmptyRoot)) expect(removed.text).toBe(text);
        expect(removeMirror(removed.text, s.ours.mirror)).toEqual({ text: removed.text, changed: false });
      }),
      runs(1000),
    );
  });
});
