import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runs } from '../../../testbed/property.js';
import { DaemonJsonError } from './errors.js';
import { parseDaemonJson, parseJson, type JsonNode } from './parse.js';

function errorOf(fn: () => unknown): DaemonJsonError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DaemonJsonError);
    return err as DaemonJsonError;
  }
  throw new Error('expected a DaemonJsonError');
}

describe('parseDaemonJson: invalid JSON has a line and column (1-based)', () => {
  it.each([
    ['{"a": 1,}', 1, 9, 'trailing comma'],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, 'expected "," or "}"'],
    ['{\r\n  "a": 1,\r\n  "b": tru\r\n}', 3, 8, 'invalid literal'],
    ['{\r  "a": [1 2]\r}', 2, 11, 'expected "," or "]"'],
    ['{\n  // mirrors\n  "a": 1\n}', 2, 3, 'comments are not allowed'],
    ["{'a': 1}", 1, 2, 'double quotes'],
    ['{"a": "line\nbreak"}', 1, 7, 'unterminated string'],
    ['{"a": "tab\there"}', 1, 11, 'must be escaped'],
    ['{"a": "\\x"}', 1, 8, 'invalid escape'],
    ['{"a": "\\u12G4"}', 1, 8, '\\u escape'],
    ['{"a": 01}', 1, 8, 'expected "," or "}"'],
    ['{"a": -}', 1, 7, 'invalid number'],
    ['{"a": 1', 1, 8, 'unexpected end of file'],
    ['{"a": 1} {}', 1, 10, 'after the end'],
    ['{"é🐳": x}', 1, 8, 'expected a value'],
    ['\uFEFF{\n  "a": }', 2, 8, 'expected a value'],
  ])('%j → line %i, column %i', (text, line, column, message) => {
    const err = errorOf(() => parseDaemonJson(text));
    expect(err.code).toBe('INVALID_JSON');
    expect([err.line, err.column]).toEqual([line, column]);
    expect(err.message).toContain(`line ${line}, column ${column}`);
    expect(err.message).toContain(message);
  });

  it('reports nesting too deep instead of overflowing the stack', () => {
    const err = errorOf(() => parseDaemonJson(`{"a": ${'['.repeat(5000)}${']'.repeat(5000)}}`));
    expect(err.code).toBe('INVALID_JSON');
    expect(err.message).toContain('nesting deeper');
  });
});

describe('parseDaemonJson: shape checks', () => {
  it.each(['[]', '"x"', 'null', '1', 'true'])('rejects top-level %s with NOT_AN_OBJECT', (text) => {
    const err = errorOf(() => parseDaemonJson(`\n  ${text}\n`));
    expect(err.code).toBe('NOT_AN_OBJECT');
    expect([err.line, err.column]).toEqual([2, 3]);
  });

  it.each([
    ['"http://x"', 'a string'],
    ['{}', 'an object'],
    ['null', 'null'],
    ['["http://x", 1]', 'a number'],
    ['[["http://x"]]', 'an array'],
  ])('rejects registry-mirrors %s with BAD_MIRRORS', (mirrors, what) => {
    const err = errorOf(() => parseDaemonJson(`{\n  "registry-mirrors": ${mirrors}\n}`));
    expect(err.code).toBe('BAD_MIRRORS');
    expect(err.line).toBe(2);
    expect(err.message).toContain(what);
  });

  it('treats an empty or whitespace-only text as {}', () => {
    for (const text of ['', '\n', ' \r\n\t', '\uFEFF']) {
      const doc = parseDaemonJson(text);
      expect(doc.root).toBeNull();
      expect(doc.value).toEqual({});
      expect(doc.mirrors).toBeNull();
    }
  });

  it('with duplicate keys uses the last one, as JSON.parse and dockerd do', () => {
    const doc = parseDaemonJson('{"registry-mirrors": 42, "a": 1, "registry-mirrors": ["http://b"]}');
    expect(doc.mirrors?.values).toEqual(['http://b']);
    expect(doc.mirrors?.member.key.start).toBe(33);
    expect(
      errorOf(() => parseDaemonJson('{"registry-mirrors": ["http://b"], "registry-mirrors": 42}')).code,
    ).toBe('BAD_MIRRORS');
  });

  it('decodes escapes in keys and values, including lone surrogates', () => {
    const doc = parseDaemonJson('\uFEFF{"registry\\u002dmirrors": ["http:\\/\\/x", "\\ud800\\u00e9"]}');
    expect(doc.bom).toBe(true);
    expect(doc.mirrors?.values).toEqual(['http://x', '\ud800é']);
  });

  it('tells compact (minified) documents apart', () => {
    expect(parseDaemonJson('{"a":[1,2],"b":{}}\n').compact).toBe(true);
    expect(parseDaemonJson('{"a": [1,2]}').compact).toBe(false);
  });
});

// Any JSON text, from JSON.stringify at several indents, optionally damaged by one small mutation.
const jsonText = fc
  .tuple(
    fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }),
    fc.constantFrom<number | string>(0, 1, 2, 4, '\t'),
    fc.constantFrom('', ' ', '\n', '\r\n'),
  )
  .map(([value, indent, pad]) => pad + JSON.stringify(value, null, indent) + pad);
const mutated = fc
  .tuple(
    jsonText,
    fc.nat(),
    fc.constantFrom('delete', 'insert', 'replace', 'truncate', 'none'),
    fc.constantFrom(...',:{}[]"\\/\'0123456789-+.eEtfnu \n\t\x01a'),
  )
  .map(([text, n, op, c]) => {
    const i = text.length === 0 ? 0 : n % text.length;
    if (op === 'delete') return text.slice(0, i) + text.slice(i + 1);
    if (op === 'insert') return text.slice(0, i) + c + text.slice(i);
    if (op === 'replace') return text.slice(0, i) + c + text.slice(i + 1);
    if (op === 'truncate') return text.slice(0, i);
    return text;
  });

function walk(body: string, node: JsonNode, value: unknown): void {
  // Every node's source slice is exactly the JSON of the value JSON.parse sees at that place.
  expect(JSON.stringify(JSON.parse(body.slice(node.start, node.end)))).toBe(JSON.stringify(value));
  if (node.kind === 'object') {
    const object = value as Record<string, unknown>;
    // With duplicate keys every member keeps its own value; the object's value for that key is the last
    // member's, as in JSON.parse and Go's decoder (dockerd).
    const effective = new Map(node.members.map((m) => [m.key.value, m]));
    expect([...effective.keys()].sort()).toEqual(Object.keys(object).sort());
    for (const m of node.members) {
      expect(JSON.parse(body.slice(m.key.start, m.key.end))).toBe(m.key.value);
      const own =
        effective.get(m.key.value) === m
          ? object[m.key.value]
          : JSON.parse(body.slice(m.value.start, m.value.end));
      walk(body, m.value, own);
    }
  } else if (node.kind === 'array') {
    node.items.forEach((item, i) => walk(body, item, (value as unknown[])[i]));
  }
}

describe('parseJson agrees with JSON.parse (property)', () => {
  it('accepts exactly what JSON.parse accepts, with an in-range position on errors', () => {
    fc.assert(
      fc.property(mutated, (text) => {
        let native: { ok: true; value: unknown } | { ok: false };
        try {
          native = { ok: true, value: JSON.parse(text) };
        } catch {
          native = { ok: false };
        }
        if (text.trim() === '' && /^[ \t\r\n]*$/.test(text)) {
          expect(parseJson(text).root).toBeNull(); // our one extension: empty counts as {}
          return;
        }
        if (native.ok) {
          const { root } = parseJson(text);
          expect(root).not.toBeNull();
          walk(text, root!, native.value);
        } else {
          const err = errorOf(() => parseJson(text));
          expect(err.code).toBe('INVALID_JSON');
          const lines = text.split(/\r\n|\n|\r/);
          expect(err.line).toBeGreaterThanOrEqual(1);
          expect(err.line).toBeLessThanOrEqual(lines.length);
          expect(err.column).toBeGreaterThanOrEqual(1);
          expect(err.column).toBeLessThanOrEqual([...lines[err.line! - 1]!].length + 1);
        }
      }),
      runs(2000),
    );
  });

  it('keeps each duplicate member with its own value, the last one being the effective one (seed 284877759)', () => {
    // What the property's mutation made of two members: a key replaced by another member's key.
    const text = '\n{\n  "": "\u{10000}",\n  "a": null,\n  "": null\n}\n';
    const { root } = parseJson(text);
    expect(root?.kind).toBe('object');
    const members = root?.kind === 'object' ? root.members : [];
    expect(members.map((m) => [m.key.value, JSON.parse(text.slice(m.value.start, m.value.end))])).toEqual([
      ['', '\u{10000}'],
      ['a', null],
      ['', null],
    ]);
    expect(JSON.parse(text)).toEqual({ '': null, a: null });
    walk(text, root!, JSON.parse(text));
  });
});
