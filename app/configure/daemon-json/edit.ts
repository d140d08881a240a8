// Pure text edits of daemon.json: add or remove one `registry-mirrors` entry by splicing the source
// text at offsets from the parser. Everything outside the splice (other keys, their order, escapes,
// formatting, BOM, final newline) is kept byte for byte; inserted text copies the file's own style.
import { sameMirror, validateMirrorUrl } from './normalize.js';
import { MIRRORS_KEY, parseDaemonJson, type ArrayNode, type DaemonDoc, type ObjectNode } from './parse.js';

export interface EditResult {
  text: string;
  changed: boolean;
}

const BOM = '\uFEFF';

/**
 * Adds `mirror` (validated, and written in normalised form) to `registry-mirrors`, creating the key
 * when needed. No change when an equivalent URL is already listed. Throws DaemonJsonError.
 */
export function addMirror(text: string, mirror: string): EditResult {
  const normal = validateMirrorUrl(mirror);
  const url = JSON.stringify(normal);
  const doc = parseDaemonJson(text);
  if (doc.mirrors?.values.some((m) => sameMirror(m, normal))) return { text, changed: false };
  const style = styleOf(doc);
  const { body } = doc;
  let next: string;
  if (doc.root === null) {
    // Empty file: a fresh document, with a final newline unless the file had whitespace without one.
    const indent = style.unit;
    const object = `{${style.nl}${indent}"${MIRRORS_KEY}": [${style.nl}${indent}${indent}${url}${style.nl}${indent}]${style.nl}}`;
    next = object + (body === '' || body.endsWith('\n') ? style.nl : '');
  } else if (doc.mirrors) {
    next = appendItem(doc, doc.mirrors.array, url, style);
  } else {
    next = appendMember(doc, doc.root, url, style);
  }
  return { text: (doc.bom ? BOM : '') + next, changed: true };
}

/**
 * Removes every entry equivalent to `mirror` from the effective `registry-mirrors`. With
 * `dropEmptyKey`, a key left holding `[]` is removed as well (used by undo when we created the key).
 */
export function removeMirror(
  text: string,
  mirror: string,
  options: { dropEmptyKey?: boolean } = {},
): EditResult {
  let doc = parseDaemonJson(text);
  let changed = false;
  for (;;) {
    const mirrors = doc.mirrors;
    const i = mirrors ? mirrors.values.findIndex((m) => sameMirror(m, mirror)) : -1;
    if (!mirrors || i < 0) break;
    doc = reparse(doc, cut(doc.body, mirrors.array, mirrors.array.items, i));
    changed = true;
  }
  const { root, mirrors } = doc;
  const sole = root?.members.filter((m) => m.key.value === MIRRORS_KEY).length === 1;
  if (changed && options.dropEmptyKey && root && mirrors && mirrors.values.length === 0 && sole) {
    const members = root.members.map((m) => ({ start: m.key.start, end: m.value.end }));
    doc = reparse(doc, cut(doc.body, root, members, root.members.indexOf(mirrors.member)));
  }
  return changed ? { text: (doc.bom ? BOM : '') + doc.body, changed } : { text, changed };
}

/** Whether the effective `registry-mirrors` lists an entry equivalent to `mirror`. */
export function hasMirror(text: string, mirror: string): boolean {
  return parseDaemonJson(text).mirrors?.values.some((m) => sameMirror(m, mirror)) ?? false;
}

interface Style {
  nl: string;
  unit: string;
  compact: boolean;
}

function styleOf(doc: DaemonDoc): Style {
  // Line ends like the first line break from the object on (a stray CRLF after it must not win).
  const from = doc.root?.start ?? 0;
  const lf = doc.body.indexOf('\n', from);
  const nl = lf > from && doc.body[lf - 1] === '\r' ? '\r\n' : '\n';
  return { nl, unit: indentUnit(doc), compact: doc.compact };
}

/** The indentation of the line holding `offset` (JSON has no multi-line strings, so this is layout). */
function lineIndent(body: string, offset: number): string {
  if (offset === 0) return '';
  const start = Math.max(body.lastIndexOf('\n', offset - 1), body.lastIndexOf('\r', offset - 1)) + 1;
  let end = start;
  while (body[end] === ' ' || body[end] === '\t') end++;
  return body.slice(start, end);
}

/** The indentation of the top-level object: of its closing brace when that starts a line, else of its opening one. */
function rootIndent(body: string, root: ObjectNode): string {
  let i = root.end - 1;
  while (i > 0 && (body[i - 1] === ' ' || body[i - 1] === '\t')) i--;
  const ownLine = i === 0 || body[i - 1] === '\n' || body[i - 1] === '\r';
  return lineIndent(body, ownLine ? root.end - 1 : root.start);
}

/** The whitespace run that ends at `offset`. */
function wsBefore(body: string, offset: number): string {
  let start = offset;
  while (start > 0 && ' \t\r\n'.includes(body[start - 1]!)) start--;
  return body.slice(start, offset);
}

/** One level of indentation: from the top-level members if they are on their own lines, else any line. */
function indentUnit(doc: DaemonDoc): string {
  const { body, root } = doc;
  const base = root ? rootIndent(body, root) : '';
  for (const m of root?.members ?? []) {
    if (!/[\r\n]/.test(wsBefore(body, m.key.start))) continue;
    const indent = lineIndent(body, m.key.start);
    const unit = indent.startsWith(base) ? indent.slice(base.length) : indent;
    if (unit) return unit;
  }
  let spaces = Infinity;
  for (const line of body.split(/\r?\n|\r/).slice(1)) {
    if (line.startsWith('\t')) return '\t';
    const n = line.length - line.trimStart().length;
    if (n > 0 && line[0] === ' ') spaces = Math.min(spaces, n);
  }
  return spaces === Infinity ? '  ' : ' '.repeat(spaces);
}

/** The separator to put before a new last element: copied from the existing ones. */
function separator(
  body: string,
  open: number,
  spans: { start: number; end: number }[],
  style: Style,
): string {
  const last = spans.at(-1)!;
  const prev = spans.at(-2);
  if (prev) return body.slice(prev.end, last.start);
  const lead = body.slice(open + 1, last.start);
  return /[\r\n]/.test(lead) ? `,${lead}` : style.compact ? ',' : ', ';
}

function appendItem(doc: DaemonDoc, array: ArrayNode, url: string, style: Style): string {
  const { body } = doc;
  const last = array.items.at(-1);
  if (last) return splice(body, last.end, last.end, separator(body, array.start, array.items, style) + url);
  // An empty array: one element per line in a multi-line document, as JSON.stringify would lay it out.
  const multiLine = /[\r\n]/.test(body.slice(doc.root!.start, doc.root!.end));
  if (!multiLine) return splice(body, array.start + 1, array.end - 1, url);
  const indent = lineIndent(body, array.start);
  const inner = `${style.nl}${indent}${style.unit}${url}${style.nl}${indent}`;
  return splice(body, array.start + 1, array.end - 1, inner);
}

function appendMember(doc: DaemonDoc, root: ObjectNode, url: string, style: Style): string {
  const { body } = doc;
  const key = JSON.stringify(MIRRORS_KEY);
  const last = root.members.at(-1);
  if (!last) {
    // `{}`: nothing to copy from, so lay it out like JSON.stringify(…, null, unit).
    const base = rootIndent(body, root);
    const inner = `${base}${style.unit}`;
    const member = `${inner}${key}: [${style.nl}${inner}${style.unit}${url}${style.nl}${inner}]`;
    return splice(body, root.start + 1, root.end - 1, `${style.nl}${member}${style.nl}${base}`);
  }
  const spans = root.members.map((m) => ({ start: m.key.start, end: m.value.end }));
  const sep = separator(body, root.start, spans, style);
  const colon = body.slice(last.key.end, last.value.start);
  let array = `[${url}]`;
  if (/[\r\n]/.test(sep)) {
    const indent = lineIndent(body, last.key.start);
    array = `[${style.nl}${indent}${style.unit}${url}${style.nl}${indent}]`;
  }
  return splice(body, last.value.end, last.value.end, `${sep}${key}${colon}${array}`);
}

/** Removes element `i` of a container with its separator, so the neighbours keep their layout. */
function cut(
  body: string,
  container: { start: number; end: number },
  spans: { start: number; end: number }[],
  i: number,
): string {
  const span = spans[i]!;
  const next = spans[i + 1];
  const prev = spans[i - 1];
  if (next) return splice(body, span.start, next.start, '');
  if (prev) return splice(body, prev.end, span.end, '');
  return splice(body, container.start + 1, container.end - 1, '');
}

function splice(body: string, from: number, to: number, insert: string): string {
  return body.slice(0, from) + insert + body.slice(to);
}

function reparse(doc: DaemonDoc, body: string): DaemonDoc {
  return parseDaemonJson((doc.bom ? BOM : '') + body);
}
