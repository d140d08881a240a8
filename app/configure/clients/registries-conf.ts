// Podman, Buildah, Skopeo and CRI-O: containers-registries.conf(5), version 2 format. Per registry
//
//   [[registry]]
//   prefix = "docker.io"
//   location = "docker.io"
//
//   [[registry.mirror]]
//   location = "mirror-host:5000"     # host[:port], no scheme
//   insecure = true                   # plain HTTP (or unverified TLS)
//
// The file may be the user's own (~/.config/containers/registries.conf or /etc/containers/…): a
// [[registry]] whose prefix (or, without one, location) is the registry gets our [[registry.mirror]]
// after its own mirrors, since a prefix may appear only once; a registry with none gets a new
// [[registry]] at the end. Every other byte stays. A file in the version 1 format ([registries.search]
// …) is refused: the two formats cannot be mixed in one file.
import { configureError } from '../errors.js';
import type { CheckedEntry } from './entries.js';
import {
  appendBlock,
  checkReadBack,
  clone,
  eolOf,
  indentAt,
  isTable,
  lineEnd,
  parseToml,
  removeBlock,
  step,
  tables,
  tomlString,
  type TextEdit,
  type TomlDoc,
  type TomlValue,
} from './toml-text.js';

interface Registry {
  prefix: string;
  mirrors: { location: string; insecure: boolean | undefined }[];
  keys: string[];
}

function registriesOf(v: TomlValue, where: string): Registry[] {
  if (v.registries !== undefined)
    throw configureError(
      'INVALID_CONFIG',
      `${where} is in the version 1 format ([registries.search], [registries.insecure] …), which cannot be ` +
        'mixed with the [[registry]] tables drpc writes; convert it to version 2 (containers-registries.conf(5)) ' +
        'or add the mirror by hand. It was left as it is',
    );
  const list = v.registry;
  if (list === undefined) return [];
  const bad = (what: string) => configureError('INVALID_CONFIG', `${where}: ${what}; it was left as it is`);
  if (!Array.isArray(list) || !list.every(isTable))
    throw bad('registry is not a list of [[registry]] tables');
  return list.map((r: TomlValue, i) => {
    const prefix = r.prefix ?? r.location;
    if (typeof prefix !== 'string' || (r.location !== undefined && typeof r.location !== 'string'))
      throw bad(`[[registry]] number ${i + 1} has no prefix or location text`);
    const mirrors = r.mirror ?? [];
    if (!Array.isArray(mirrors) || !mirrors.every(isTable))
      throw bad(`mirror of the [[registry]] for ${prefix} is not a list of [[registry.mirror]] tables`);
    return {
      prefix,
      keys: Object.keys(r),
      mirrors: mirrors.map((m: TomlValue) => {
        if (typeof m.location !== 'string')
          throw bad(`a [[registry.mirror]] of ${prefix} has no location text`);
        if (m.insecure !== undefined && typeof m.insecure !== 'boolean')
          throw bad(`insecure of the mirror ${m.location} of ${prefix} is not true or false`);
        return { location: m.location, insecure: m.insecure as boolean | undefined };
      }),
    };
  });
}

const mirrorLines = (e: CheckedEntry, indent: string) => [
  `${indent}[[registry.mirror]]`,
  `${indent}location = ${tomlString(e.mirrorHost)}`,
  ...(e.plainHttp ? [`${indent}insecure = true`] : []),
];

/** The tables that make up [[registry]] number i (its header, then its mirrors), in file order. */
const tablesOf = (doc: TomlDoc, i: number) =>
  tables(doc).filter((t) => t.resolvedKey[0] === 'registry' && t.resolvedKey[1] === i);

/** Adds a mirror for each entry's registry, once. */
export function addContainersMirrors(
  text: string,
  entries: readonly CheckedEntry[],
  where = 'registries.conf',
): TextEdit {
  const expected = clone(parseToml(text, where).value);
  let out = text;
  for (const e of entries) {
    const regs = registriesOf(parseToml(out, where).value, where);
    const i = regs.findIndex((r) => r.prefix === e.registry);
    const mirror = { location: e.mirrorHost, ...(e.plainHttp ? { insecure: true } : {}) };
    if (i < 0) {
      ((expected.registry ??= []) as TomlValue[]).push({
        prefix: e.registry,
        location: e.registry,
        mirror: [mirror],
      });
      out = step(out, where, (_doc, body) =>
        appendBlock(body, [
          '[[registry]]',
          `prefix = ${tomlString(e.registry)}`,
          `location = ${tomlString(e.registry)}`,
          '',
          ...mirrorLines(e, ''),
        ]),
      );
      continue;
    }
    const have = regs[i]!.mirrors.find((m) => m.location === e.mirrorHost);
    if (have) {
      if (e.plainHttp && have.insecure !== true)
        throw configureError(
          'INVALID_CONFIG',
          `${where}: the mirror ${e.mirrorHost} of ${e.registry} is listed without insecure = true, but it speaks ` +
            'plain HTTP; set insecure = true there, then run this again (the file was left as it is)',
        );
      continue;
    }
    const r = (expected.registry as TomlValue[])[i]!;
    r.mirror = [...((r.mirror as TomlValue[] | undefined) ?? []), mirror];
    out = step(out, where, (doc, body) => {
      const own = tablesOf(doc, i);
      const first = own[0];
      const last = own.at(-1);
      if (!first || !last || first.kind !== 'array' || first.resolvedKey.length !== 2)
        throw configureError(
          'INVALID_CONFIG',
          `${where}: the [[registry]] for ${e.registry} is written as an inline table, which drpc does not edit; ` +
            `add a mirror with location = ${tomlString(e.mirrorHost)} to it by hand (the file was left as it is)`,
        );
      const eol = eolOf(body);
      const at = lineEnd(body, last.range[1]);
      const lead = at === body.length && !body.endsWith('\n') ? eol + eol : eol;
      return { at, remove: 0, insert: lead + mirrorLines(e, indentAt(body, first.range[0])).join(eol) + eol };
    });
  }
  if (out === text) return { text, changed: false };
  checkReadBack(out, expected, where, text);
  return { text: out, changed: true };
}

/** Which entries the text lacks, in words (empty: all there). */
export function missingContainersMirrors(
  text: string,
  entries: readonly CheckedEntry[],
  where = 'registries.conf',
): string[] {
  const regs = registriesOf(parseToml(text, where).value, where);
  return entries.flatMap((e) => {
    const m = regs.find((r) => r.prefix === e.registry)?.mirrors.find((x) => x.location === e.mirrorHost);
    if (!m) return [`no [[registry.mirror]] ${e.mirrorHost} for ${e.registry}`];
    return e.plainHttp && m.insecure !== true
      ? [`the mirror ${e.mirrorHost} of ${e.registry} lacks insecure = true`]
      : [];
  });
}

/**
 * Takes our mirrors out of a file the user changed since: each [[registry.mirror]] with our location,
 * and a [[registry]] only where `before` had none for that prefix and nothing but ours is left in it.
 */
export function removeContainersMirrors(
  text: string,
  entries: readonly CheckedEntry[],
  before: string | null,
  where = 'registries.conf',
): TextEdit {
  const old = before === null ? [] : registriesOf(parseToml(before, where).value, where);
  const expected = clone(parseToml(text, where).value);
  let out = text;
  for (const e of entries) {
    for (;;) {
      const regs = registriesOf(parseToml(out, where).value, where);
      const i = regs.findIndex((r) => r.prefix === e.registry);
      const j = i < 0 ? -1 : regs[i]!.mirrors.findIndex((m) => m.location === e.mirrorHost);
      if (j < 0) break;
      const r = (expected.registry as TomlValue[])[i]!;
      const left = (r.mirror as TomlValue[]).filter((_m, k) => k !== j);
      if (left.length) r.mirror = left;
      else delete r.mirror;
      const before = out;
      out = step(out, where, (doc, body) => {
        const t = tables(doc).find(
          (x) => x.kind === 'array' && x.resolvedKey.join('\0') === ['registry', i, 'mirror', j].join('\0'),
        );
        return t ? removeBlock(body, t) : null;
      });
      if (out === before) break; // an inline mirror: left for the read-back check to refuse
    }
    const regs = registriesOf(parseToml(out, where).value, where);
    const i = regs.findIndex((r) => r.prefix === e.registry);
    const ours = regs[i];
    if (
      ours &&
      !old.some((r) => r.prefix === e.registry) &&
      ours.mirrors.length === 0 &&
      ours.keys.every((k) => k === 'prefix' || k === 'location')
    ) {
      (expected.registry as TomlValue[]).splice(i, 1);
      out = step(out, where, (doc, body) => {
        const [t] = tablesOf(doc, i);
        return t && t.body.length <= 2 ? removeBlock(body, t) : null;
      });
    }
  }
  if (out === text) return { text, changed: false };
  if (
    Array.isArray(expected.registry) &&
    expected.registry.length === 0 &&
    !('registry' in parseToml(out, where).value)
  )
    delete expected.registry;
  checkReadBack(out, expected, where, text);
  return { text: out, changed: true };
}
