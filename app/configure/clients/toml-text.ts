// What the TOML editors share: a strict TOML 1.0 parse that records where every table, key and value
// sits in the text (toml-eslint-parser: syntax and the TOML rules on keys and tables, with offsets),
// splices at those offsets so every other byte stays as it was, and a read-back check that the
// edited text parses to exactly the value we meant (anything else is refused, the file untouched).
import { getStaticTOMLValue, parseTOML, type AST } from 'toml-eslint-parser';
import { configureError } from '../errors.js';

export type TomlDoc = AST.TOMLProgram;
export type TomlTable = AST.TOMLTable;
export type TomlKeyValue = AST.TOMLKeyValue;
export type TomlValue = Record<string, unknown>;

const BOM = '\uFEFF';

/** Parses `text` (a leading BOM is kept aside: offsets are into the text after it). */
export function parseToml(text: string, where: string): { doc: TomlDoc; value: TomlValue; bom: string } {
  const bom = text.startsWith(BOM) ? BOM : '';
  const body = text.slice(bom.length);
  let doc: TomlDoc;
  try {
    doc = parseTOML(body, { tomlVersion: '1.0' });
  } catch (err) {
    const e = err as { message?: string; lineNumber?: number; column?: number };
    const at = e.lineNumber ? ` (line ${e.lineNumber}, column ${(e.column ?? 0) + 1})` : '';
    throw configureError(
      'INVALID_CONFIG',
      `${where} is not valid TOML${at}: ${e.message ?? String(err)}; it was left as it is`,
      e.lineNumber ? { line: e.lineNumber, column: (e.column ?? 0) + 1 } : {},
    );
  }
  return { doc, value: getStaticTOMLValue(doc) as TomlValue, bom };
}

/** The line ending the file uses (its first one), LF for a file without any. */
export function eolOf(text: string): string {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
}

/** Offset just past the line holding `offset` (after its line ending), or the end of the text. */
export function lineEnd(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  return i < 0 ? text.length : i + 1;
}

/** Offset of the start of the line holding `offset`. */
export function lineStart(text: string, offset: number): number {
  return offset <= 0 ? 0 : text.lastIndexOf('\n', offset - 1) + 1;
}

/** The whitespace a line starts with. */
export function indentAt(text: string, offset: number): string {
  const start = lineStart(text, offset);
  return /^[ \t]*/.exec(text.slice(start))![0];
}

export interface Splice {
  at: number;
  /** characters removed from `at` */
  remove: number;
  insert: string;
}

/** Applies splices (offsets into the original text, any order, not overlapping). */
export function applySplices(text: string, splices: readonly Splice[]): string {
  let out = text;
  for (const s of [...splices].sort((a, b) => b.at - a.at))
    out = out.slice(0, s.at) + s.insert + out.slice(s.at + s.remove);
  return out;
}

/** A TOML key as written: bare when it can be, else a basic string. */
export function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

/** A TOML basic string (JSON's escapes are TOML's, for the host names and URLs we write). */
export function tomlString(s: string): string {
  return JSON.stringify(s);
}

/** The full key path of a key/value: its table's resolved key, then its own dotted key. */
export function keyPath(kv: TomlKeyValue): (string | number)[] {
  const own = kv.key.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value));
  const parent = kv.parent;
  return parent.type === 'TOMLTable' ? [...parent.resolvedKey, ...own] : own;
}

/** Every top-level table header (standard and array) in order. */
export function tables(doc: TomlDoc): TomlTable[] {
  return doc.body[0].body.filter((n): n is TomlTable => n.type === 'TOMLTable');
}

/** Every key/value outside inline tables (top level and in table bodies), in order. */
export function keyValues(doc: TomlDoc): TomlKeyValue[] {
  return doc.body[0].body.flatMap((n) => (n.type === 'TOMLTable' ? n.body : [n]));
}

export const samePath = (a: readonly (string | number)[], b: readonly (string | number)[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Parses the edited text and checks it holds exactly `expected`: a splice in the wrong place fails
 * here, before anything is written, instead of changing a setting we did not mean to touch. The parsed
 * value holds integers as JS numbers (big ones lose digits), so the number tokens are compared as
 * written too: the editors never add or remove a number.
 */
export function checkReadBack(text: string, expected: unknown, where: string, original: string): void {
  const same = (() => {
    try {
      const got = parseToml(text, where);
      return (
        stableJson(got.value) === stableJson(expected) &&
        stableJson(numbers(got.doc)) === stableJson(numbers(parseToml(original, where).doc))
      );
    } catch {
      return false;
    }
  })();
  if (!same)
    throw configureError(
      'INVALID_CONFIG',
      `${where}: drpc could not add its entries without touching what is there (an unusual layout); ` +
        'it was left as it is: add them by hand',
    );
}

const numbers = (doc: TomlDoc) =>
  doc.tokens.filter((t) => t.type === 'Integer' || t.type === 'Float').map((t) => t.value);

/** JSON of a TOML value (big integers as strings, so they compare too). */
export function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
}

/** A plain object (a TOML table) or undefined; anything else is the caller's "wrong type". */
export function isTable(v: unknown): v is TomlValue {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

export function clone<T>(v: T): T {
  return structuredClone(v);
}

export interface TextEdit {
  text: string;
  changed: boolean;
}

/** A new table at the end of the file, after a blank line. */
export function appendBlock(text: string, lines: string[]): Splice {
  const eol = eolOf(text);
  const block = lines.join(eol) + eol;
  if (text === '') return { at: 0, remove: 0, insert: block };
  return { at: text.length, remove: 0, insert: (text.endsWith('\n') ? eol : eol + eol) + block };
}

/** One splice at a time, each on a fresh parse: small files, and every offset is exact. */
export function step(text: string, where: string, fn: (doc: TomlDoc, body: string) => Splice | null): string {
  const { doc, bom } = parseToml(text, where);
  const body = text.slice(bom.length);
  const s = fn(doc, body);
  return s ? bom + applySplices(body, [s]) : text;
}

/** Removes the whole lines a node spans. */
export function removeLines(body: string, node: { range: [number, number] }): Splice {
  const from = lineStart(body, node.range[0]);
  return { at: from, remove: lineEnd(body, node.range[1]) - from, insert: '' };
}

/** Removes a table we appended: its lines and the blank line appendBlock put before it. */
export function removeBlock(body: string, node: { range: [number, number] }): Splice {
  const s = removeLines(body, node);
  if (s.at === 0) return s;
  const prev = lineStart(body, s.at - 1);
  if (body.slice(prev, s.at).trim() !== '') return s;
  return { at: prev, remove: s.remove + s.at - prev, insert: '' };
}
