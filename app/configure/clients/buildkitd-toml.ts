// BuildKit's buildkitd.toml (buildx docker-container builders: `docker buildx create --buildkitd-config
// FILE`, copied in when the builder is created): per registry
//
//   [registry."docker.io"]
//     mirrors = ["mirror-host:5000"]      # host[:port], not URLs
//   [registry."mirror-host:5000"]
//     http = true                         # the mirror speaks plain HTTP
//
// Keys as BuildKit's RegistryConfig declares them (util/resolver/config: mirrors, http, insecure, ca,
// keypair, tlsconfigdir). The file may be the user's own: we splice our entries in and keep every
// other byte; our mirror is appended to a `mirrors` list already there.
import { configureError } from '../errors.js';
import type { CheckedEntry } from './entries.js';
import {
  appendBlock,
  checkReadBack,
  clone,
  eolOf,
  indentAt,
  isTable,
  keyPath,
  keyValues,
  lineEnd,
  parseToml,
  removeBlock,
  removeLines,
  step,
  samePath,
  tables,
  tomlKey,
  tomlString,
  type Splice,
  type TextEdit,
  type TomlDoc,
  type TomlValue,
} from './toml-text.js';
export type { TextEdit } from './toml-text.js';

const header = (reg: string) => `[registry.${tomlKey(reg)}]`;

/** The registry table of a host, checked: undefined, or a table. */
function registryTable(v: TomlValue, host: string, where: string): TomlValue | undefined {
  const all = v.registry;
  if (all === undefined) return undefined;
  if (!isTable(all))
    throw configureError('INVALID_CONFIG', `${where}: registry is not a table; it was left as it is`);
  const t = all[host];
  if (t === undefined) return undefined;
  if (!isTable(t))
    throw configureError('INVALID_CONFIG', `${where}: ${header(host)} is not a table; it was left as it is`);
  return t;
}

function mirrorsOf(v: TomlValue, reg: string, where: string): string[] | undefined {
  const m = registryTable(v, reg, where)?.mirrors;
  if (m === undefined) return undefined;
  if (!Array.isArray(m) || m.some((x) => typeof x !== 'string'))
    throw configureError(
      'INVALID_CONFIG',
      `${where}: mirrors in ${header(reg)} is not a list of host names; it was left as it is`,
    );
  return m as string[];
}

function httpOf(v: TomlValue, host: string, where: string): boolean | undefined {
  const h = registryTable(v, host, where)?.http;
  if (h !== undefined && typeof h !== 'boolean')
    throw configureError(
      'INVALID_CONFIG',
      `${where}: http in ${header(host)} is not true or false; it was left as it is`,
    );
  return h as boolean | undefined;
}

const findKv = (doc: TomlDoc, path: (string | number)[]) =>
  keyValues(doc).find((kv) => samePath(keyPath(kv), path));
const findTable = (doc: TomlDoc, path: (string | number)[]) =>
  tables(doc).find((t) => t.kind === 'standard' && samePath(t.resolvedKey, path));

/** A `key = value` line at the end of a standard table's body (or right after its header). */
function keyLineSplice(
  text: string,
  doc: TomlDoc,
  table: (string | number)[],
  line: string,
): Splice | undefined {
  const t = findTable(doc, table);
  if (!t) return undefined;
  const last = t.body.at(-1);
  const indent = t.body[0] ? indentAt(text, t.body[0].range[0]) : `${indentAt(text, t.range[0])}  `;
  const at = lineEnd(text, (last ?? t).range[1]);
  const eol = eolOf(text);
  const atEofWithoutEol = at === text.length && !text.endsWith('\n');
  return { at, remove: 0, insert: atEofWithoutEol ? `${eol}${indent}${line}` : `${indent}${line}${eol}` };
}

function sub(v: TomlValue, key: string): TomlValue {
  const t = (v[key] ??= {}) as TomlValue;
  return t;
}

/** Adds each entry's mirror (and `http = true` for a plain-HTTP mirror) once. */
export function addBuildkitMirrors(
  text: string,
  entries: readonly CheckedEntry[],
  where = 'buildkitd.toml',
): TextEdit {
  const expected = clone(parseToml(text, where).value);
  let out = text;
  for (const e of entries) {
    const v = parseToml(out, where).value;
    const mirrors = mirrorsOf(v, e.registry, where);
    const http = httpOf(v, e.mirrorHost, where);
    if (e.plainHttp && http === false)
      throw configureError(
        'INVALID_CONFIG',
        `${where}: ${header(e.mirrorHost)} sets http = false, but the mirror ${e.mirrorUrl} speaks plain HTTP; ` +
          'change it to true or remove it, then run this again (the file was left as it is)',
      );
    if (!mirrors?.includes(e.mirrorHost)) {
      const ex = sub(sub(expected, 'registry'), e.registry);
      ex.mirrors = [...((ex.mirrors as string[] | undefined) ?? []), e.mirrorHost];
      out = step(out, where, (doc, body) => {
        const kv = findKv(doc, ['registry', e.registry, 'mirrors']);
        if (kv) {
          if (kv.value.type !== 'TOMLArray') return null; // types were checked above
          const last = kv.value.elements.at(-1);
          return last
            ? { at: last.range[1], remove: 0, insert: `, ${tomlString(e.mirrorHost)}` }
            : { at: kv.value.range[0] + 1, remove: 0, insert: tomlString(e.mirrorHost) };
        }
        const line = `mirrors = [${tomlString(e.mirrorHost)}]`;
        const inTable = keyLineSplice(body, doc, ['registry', e.registry], line);
        if (inTable) return inTable;
        if (registryTable(v, e.registry, where)) throw notOurForm(where, header(e.registry), line);
        return appendBlock(body, [header(e.registry), `  ${line}`]);
      });
    }
    if (e.plainHttp && http !== true) {
      sub(sub(expected, 'registry'), e.mirrorHost).http = true;
      out = step(out, where, (doc, body) => {
        const inTable = keyLineSplice(body, doc, ['registry', e.mirrorHost], 'http = true');
        if (inTable) return inTable;
        if (registryTable(v, e.mirrorHost, where))
          throw notOurForm(where, header(e.mirrorHost), 'http = true');
        return appendBlock(body, [header(e.mirrorHost), '  http = true']);
      });
    }
  }
  if (out === text) return { text, changed: false };
  checkReadBack(out, expected, where, text);
  return { text: out, changed: true };
}

function notOurForm(where: string, table: string, line: string) {
  return configureError(
    'INVALID_CONFIG',
    `${where}: ${table} is written with dotted keys or as an inline table, which drpc does not edit; ` +
      `add ${line} to it by hand (the file was left as it is)`,
  );
}

/** Which entries the text lacks, in words (empty: all there). Throws on a file we cannot read. */
export function missingBuildkitMirrors(
  text: string,
  entries: readonly CheckedEntry[],
  where = 'buildkitd.toml',
): string[] {
  const v = parseToml(text, where).value;
  return entries.flatMap((e) => [
    ...(mirrorsOf(v, e.registry, where)?.includes(e.mirrorHost)
      ? []
      : [`${header(e.registry)} mirrors lacks "${e.mirrorHost}"`]),
    ...(e.plainHttp && httpOf(v, e.mirrorHost, where) !== true
      ? [`${header(e.mirrorHost)} lacks http = true`]
      : []),
  ]);
}

/**
 * Takes our entries out of a file the user changed since (undo when the bytes are no longer ours):
 * our mirror from each list, and keys and tables only where `before` (the file as it was before our
 * first change) did not have them.
 */
export function removeBuildkitMirrors(
  text: string,
  entries: readonly CheckedEntry[],
  before: string | null,
  where = 'buildkitd.toml',
): TextEdit {
  const old = before === null ? {} : parseToml(before, where).value;
  const had = (host: string, key?: string) => {
    const t = (isTable(old.registry) ? old.registry[host] : undefined) as TomlValue | undefined;
    return key === undefined ? t !== undefined : isTable(t) && t[key] !== undefined;
  };
  const expected = clone(parseToml(text, where).value);
  let out = text;
  const dropEmptyTable = (host: string) => {
    if (had(host)) return;
    out = step(out, where, (doc, body) => {
      const t = findTable(doc, ['registry', host]);
      if (!t || t.body.length) return null;
      delete ((expected.registry as TomlValue | undefined) ?? {})[host];
      return removeBlock(body, t);
    });
  };
  for (const e of entries) {
    const v = parseToml(out, where).value;
    const mirrors = mirrorsOf(v, e.registry, where);
    if (mirrors?.includes(e.mirrorHost)) {
      const ex = (expected.registry as TomlValue)[e.registry] as TomlValue;
      ex.mirrors = (ex.mirrors as string[]).filter((m) => m !== e.mirrorHost);
      out = step(out, where, (doc, body) => {
        const kv = findKv(doc, ['registry', e.registry, 'mirrors']);
        if (!kv || kv.value.type !== 'TOMLArray') return null;
        const els = kv.value.elements;
        const keep = els.filter((x) => !(x.type === 'TOMLValue' && x.value === e.mirrorHost));
        if (keep.length === 0 && !had(e.registry, 'mirrors') && kv.parent.type === 'TOMLTable') {
          delete ex.mirrors;
          return removeLines(body, kv);
        }
        const i = els.findIndex((x) => x.type === 'TOMLValue' && x.value === e.mirrorHost);
        const el = els[i]!;
        if (i > 0)
          return { at: els[i - 1]!.range[1], remove: el.range[1] - els[i - 1]!.range[1], insert: '' };
        if (els[1]) return { at: el.range[0], remove: els[1].range[0] - el.range[0], insert: '' };
        const after = /^\s*,/.exec(body.slice(el.range[1]));
        return { at: el.range[0], remove: el.range[1] - el.range[0] + (after?.[0].length ?? 0), insert: '' };
      });
      // Remove every copy: an undo leaves none of ours.
      if (mirrorsOf(parseToml(out, where).value, e.registry, where)?.includes(e.mirrorHost))
        return removeBuildkitMirrors(out, entries, before, where);
      dropEmptyTable(e.registry);
    }
    if (
      e.plainHttp &&
      !had(e.mirrorHost, 'http') &&
      httpOf(parseToml(out, where).value, e.mirrorHost, where) === true
    ) {
      out = step(out, where, (doc, body) => {
        const kv = findKv(doc, ['registry', e.mirrorHost, 'http']);
        if (!kv || kv.parent.type !== 'TOMLTable') return null;
        delete ((expected.registry as TomlValue)[e.mirrorHost] as TomlValue).http;
        return removeLines(body, kv);
      });
      dropEmptyTable(e.mirrorHost);
    }
  }
  if (out === text) return { text, changed: false };
  // A `registry` table left with nothing in it and written nowhere any more is gone, as before.
  const reg = expected.registry;
  if (isTable(reg) && Object.keys(reg).length === 0 && !('registry' in parseToml(out, where).value))
    delete expected.registry;
  checkReadBack(out, expected, where, text);
  return { text: out, changed: true };
}
