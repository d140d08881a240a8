// A strict JSON (RFC 8259) parser that keeps source offsets. Edits then touch only the bytes they must
// instead of re-stringifying the document, and errors carry a line and column.
import { DaemonJsonError, lineColumn } from './errors.js';

export interface StringNode {
  kind: 'string';
  start: number;
  end: number;
  value: string;
}
export interface ScalarNode {
  kind: 'number' | 'literal';
  start: number;
  end: number;
}
export interface ArrayNode {
  kind: 'array';
  start: number;
  end: number;
  items: JsonNode[];
}
export interface Member {
  key: StringNode;
  value: JsonNode;
}
export interface ObjectNode {
  kind: 'object';
  start: number;
  end: number;
  members: Member[];
}
export type JsonNode = StringNode | ScalarNode | ArrayNode | ObjectNode;

export const MIRRORS_KEY = 'registry-mirrors';
const BOM = '\uFEFF';
// Far beyond any real daemon.json, well within the JS stack.
const MAX_DEPTH = 2000;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /^[0-9A-Fa-f]{4}$/;
const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

export interface DaemonDoc {
  /** Whether the text starts with a UTF-8 BOM; node offsets are relative to `body` (the text without it). */
  bom: boolean;
  body: string;
  /** `null` for an empty (whitespace-only) file, which counts as `{}`. */
  root: ObjectNode | null;
  /** True when there is no whitespace between tokens (minified): inserted text then has none either. */
  compact: boolean;
  /** What JSON.parse (and dockerd) sees: with duplicate keys the last one wins. */
  value: Record<string, unknown>;
  /** The last `registry-mirrors` member, the effective one; earlier duplicates are left alone. */
  mirrors: { member: Member; array: ArrayNode; values: string[] } | null;
}

class Parser {
  pos = 0;
  depth = 0;
  spaced = false;
  constructor(readonly text: string) {}

  fail(message: string, at = this.pos): never {
    const { line, column } = lineColumn(this.text, at);
    throw new DaemonJsonError('INVALID_JSON', `invalid JSON at line ${line}, column ${column}: ${message}`, {
      line,
      column,
    });
  }

  ws(): void {
    const from = this.pos;
    for (let c = this.text.charCodeAt(this.pos); c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;) {
      c = this.text.charCodeAt(++this.pos);
    }
    if (this.pos > from && this.depth > 0) this.spaced = true;
  }

  unexpected(expected: string): never {
    const c = this.text[this.pos];
    if (c === undefined) this.fail(`unexpected end of file, expected ${expected}`);
    if (c === '/') this.fail('comments are not allowed in JSON');
    this.fail(`unexpected ${JSON.stringify(c)}, expected ${expected}`);
  }

  value(): JsonNode {
    this.ws();
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === 't' || c === 'f' || c === 'n') return this.literal();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    if (c === "'") this.fail('strings must use double quotes');
    return this.unexpected('a value');
  }

  enter(): number {
    if (++this.depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    return this.pos++;
  }

  object(): ObjectNode {
    const start = this.enter();
    const members: Member[] = [];
    this.ws();
    if (this.text[this.pos] !== '}') {
      for (;;) {
        this.ws();
        if (this.text[this.pos] === '}' && members.length > 0) this.fail('trailing comma before "}"');
        if (this.text[this.pos] !== '"') this.unexpected('a property name in double quotes');
        const key = this.string();
        this.ws();
        if (this.text[this.pos] !== ':') this.unexpected('":" after the property name');
        this.pos++;
        members.push({ key, value: this.value() });
        this.ws();
        if (this.text[this.pos] !== ',') break;
        this.pos++;
      }
      if (this.text[this.pos] !== '}') this.unexpected('"," or "}" after a property value');
    }
    this.pos++;
    this.depth--;
    return { kind: 'object', start, end: this.pos, members };
  }

  array(): ArrayNode {
    const start = this.enter();
    const items: JsonNode[] = [];
    this.ws();
    if (this.text[this.pos] !== ']') {
      for (;;) {
        this.ws();
        if (this.text[this.pos] === ']' && items.length > 0) this.fail('trailing comma before "]"');
        items.push(this.value());
        this.ws();
        if (this.text[this.pos] !== ',') break;
        this.pos++;
      }
      if (this.text[this.pos] !== ']') this.unexpected('"," or "]" after an array element');
    }
    this.pos++;
    this.depth--;
    return { kind: 'array', start, end: this.pos, items };
  }

  string(): StringNode {
    const start = this.pos++;
    let value = '';
    let chunk = this.pos;
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (Number.isNaN(c)) this.fail('unterminated string', start);
      if (c === 0x22) break;
      if (c === 0x0a || c === 0x0d) this.fail('unterminated string (line break inside a string)', start);
      if (c < 0x20) this.fail('control character inside a string must be escaped');
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      value += this.text.slice(chunk, this.pos);
      const e = this.text[this.pos + 1] ?? '';
      const simple = ESCAPES[e];
      if (simple !== undefined) {
        value += simple;
        this.pos += 2;
      } else if (e === 'u' && HEX4.test(this.text.slice(this.pos + 2, this.pos + 6))) {
        value += String.fromCharCode(parseInt(this.text.slice(this.pos + 2, this.pos + 6), 16));
        this.pos += 6;
      } else {
        this.fail(e === 'u' ? 'invalid \\u escape (four hex digits expected)' : 'invalid escape sequence');
      }
      chunk = this.pos;
    }
    value += this.text.slice(chunk, this.pos);
    this.pos++;
    return { kind: 'string', start, end: this.pos, value };
  }

  number(): ScalarNode {
    const start = this.pos;
    NUMBER.lastIndex = start;
    if (!NUMBER.test(this.text)) this.fail('invalid number');
    this.pos = NUMBER.lastIndex;
    return { kind: 'number', start, end: this.pos };
  }

  literal(): ScalarNode {
    const start = this.pos;
    const word = ['true', 'false', 'null'].find((w) => this.text.startsWith(w, start));
    if (word === undefined) this.fail('invalid literal (expected true, false or null)');
    this.pos += word.length;
    return { kind: 'literal', start, end: this.pos };
  }
}

/** Parses any JSON text into a node tree with offsets; `null` for an empty or whitespace-only text. */
export function parseJson(body: string): { root: JsonNode | null; compact: boolean } {
  const p = new Parser(body);
  p.ws();
  if (p.pos === body.length) return { root: null, compact: false };
  const root = p.value();
  p.ws();
  if (p.pos < body.length) p.fail('unexpected content after the end of the JSON value');
  return { root, compact: !p.spaced };
}

/**
 * Parses daemon.json text (a leading BOM is allowed and kept aside). Throws DaemonJsonError with
 * INVALID_JSON, NOT_AN_OBJECT or BAD_MIRRORS, each with the line and column of the culprit.
 */
export function parseDaemonJson(text: string): DaemonDoc {
  const bom = text.startsWith(BOM);
  const body = bom ? text.slice(1) : text;
  const { root, compact } = parseJson(body);
  const at = (node: JsonNode, code: 'NOT_AN_OBJECT' | 'BAD_MIRRORS', message: string): never => {
    const { line, column } = lineColumn(body, node.start);
    throw new DaemonJsonError(code, `${message} (line ${line}, column ${column})`, { line, column });
  };
  if (root === null) return { bom, body, root: null, compact, value: {}, mirrors: null };
  const describe = (node: JsonNode): string =>
    node.kind === 'literal'
      ? body.slice(node.start, node.end)
      : `${node.kind === 'string' || node.kind === 'number' ? 'a' : 'an'} ${node.kind}`;
  if (root.kind !== 'object') {
    return at(root, 'NOT_AN_OBJECT', `the top-level value must be an object, not ${describe(root)}`);
  }
  const value = JSON.parse(body) as Record<string, unknown>;
  const member = root.members.findLast((m) => m.key.value === MIRRORS_KEY);
  if (!member) return { bom, body, root, compact, value, mirrors: null };
  const array = member.value;
  const bad = (node: JsonNode, what: string) =>
    at(node, 'BAD_MIRRORS', `"${MIRRORS_KEY}" must ${what}, not ${describe(node)}`);
  if (array.kind !== 'array') return bad(array, 'be an array of strings');
  const values: string[] = [];
  for (const item of array.items) {
    if (item.kind !== 'string') return bad(item, 'only hold strings');
    values.push(item.value);
  }
  return { bom, body, root, compact, value, mirrors: { member, array, values } };
}
