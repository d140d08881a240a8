// colima.yaml's `docker:` key holds daemon.json settings. Edited with the yaml package's Document API
// so comments, order and quoting of everything else survive; text we cannot parse is refused (the
// caller then leaves the file byte-for-byte as it is).
import { isMap, isScalar, isSeq, parseDocument, YAMLMap, YAMLSeq, type Document } from 'yaml';
import { sameMirror } from '../daemon-json/index.js';
import { configureError } from '../errors.js';

const MIRRORS = 'registry-mirrors';
// Printed the way colima writes its file: no folding, no padding inside [] and {}.
const PRINT = { lineWidth: 0, flowCollectionPadding: false } as const;

function load(text: string, where: string): Document {
  const doc = parseDocument(text);
  const [first] = doc.errors;
  if (first) {
    const at = first.linePos?.[0];
    throw configureError(
      'INVALID_CONFIG',
      `${where} is not valid YAML${at ? ` (line ${at.line}, column ${at.col})` : ''}: ${first.message.split('\n')[0]}; it was left as it is`,
      at ? { line: at.line, column: at.col } : {},
    );
  }
  if (doc.contents === null) doc.contents = new YAMLMap() as unknown as typeof doc.contents;
  if (!isMap(doc.contents))
    throw configureError('INVALID_CONFIG', `${where}: the top level is not a mapping; it was left as it is`);
  return doc;
}

/** The printed text, after checking it reads back as exactly the edited document (nothing else moved). */
function print(doc: Document, where: string): string {
  const out = doc.toString(PRINT);
  if (JSON.stringify(parseDocument(out).toJS()) !== JSON.stringify(doc.toJS())) {
    throw configureError(
      'INVALID_CONFIG',
      `${where}: the edited YAML would not read back the same; it was left as it is`,
    );
  }
  return out;
}

const isNull = (node: unknown) =>
  node === undefined || node === null || (isScalar(node) && node.value === null);

function dockerMap(doc: Document, where: string, create: boolean): YAMLMap | undefined {
  const node = doc.get('docker', true);
  if (isNull(node)) {
    if (!create) return undefined;
    const map = new YAMLMap();
    doc.set('docker', map);
    return map;
  }
  if (!isMap(node))
    throw configureError('INVALID_CONFIG', `${where}: docker: is not a mapping; it was left as it is`);
  return node;
}

function mirrorsSeq(docker: YAMLMap, where: string): YAMLSeq | undefined {
  const node = docker.get(MIRRORS, true);
  if (isNull(node)) return undefined;
  if (!isSeq(node))
    throw configureError('INVALID_CONFIG', `${where}: docker.${MIRRORS} is not a list; it was left as it is`);
  for (const item of node.items) {
    if (!isScalar(item) || typeof item.value !== 'string') {
      throw configureError(
        'INVALID_CONFIG',
        `${where}: docker.${MIRRORS} holds an entry that is not a URL; it was left as it is`,
      );
    }
  }
  return node;
}

const valuesOf = (seq: YAMLSeq | undefined): string[] =>
  (seq?.items ?? []).map((i) => String((i as { value: unknown }).value));

/** The mirrors colima.yaml gives its dockerd. */
export function colimaMirrors(text: string, where = 'colima.yaml'): string[] {
  const doc = load(text, where);
  const docker = dockerMap(doc, where, false);
  return docker ? valuesOf(mirrorsSeq(docker, where)) : [];
}

export function hasMirrorsKey(text: string): boolean {
  try {
    const docker = dockerMap(load(text, ''), '', false);
    return !!docker && !isNull(docker.get(MIRRORS, true));
  } catch {
    return false;
  }
}

/** Adds `mirror` to docker.registry-mirrors once; unchanged text when an equivalent entry is there. */
export function addColimaMirror(
  text: string,
  mirror: string,
  where = 'colima.yaml',
): { text: string; changed: boolean; mirrors: string[] } {
  const doc = load(text, where);
  const docker = dockerMap(doc, where, true)!;
  let seq = mirrorsSeq(docker, where);
  const before = valuesOf(seq);
  if (before.some((m) => sameMirror(m, mirror))) return { text, changed: false, mirrors: before };
  // Colima writes `docker: {}`: the first key turns it into a block, as a person would write it.
  if (docker.flow && docker.items.length === 0) docker.flow = false;
  if (!seq) {
    seq = new YAMLSeq();
    seq.flow = docker.flow === true;
    docker.set(MIRRORS, seq);
  }
  seq.add(doc.createNode(mirror));
  return { text: print(doc, where), changed: true, mirrors: [...before, mirror] };
}

/** Takes `mirror` out again; drops the emptied key (and an emptied docker map back to `{}`) when asked. */
export function removeColimaMirror(
  text: string,
  mirror: string,
  opts: { dropEmptyKey: boolean },
  where = 'colima.yaml',
): { text: string; changed: boolean } {
  const doc = load(text, where);
  const docker = dockerMap(doc, where, false);
  const seq = docker && mirrorsSeq(docker, where);
  if (!docker || !seq) return { text, changed: false };
  const keep = seq.items.filter((i) => !sameMirror(String((i as { value: unknown }).value), mirror));
  if (keep.length === seq.items.length) return { text, changed: false };
  seq.items = keep;
  if (keep.length === 0 && opts.dropEmptyKey) {
    docker.delete(MIRRORS);
    if (docker.items.length === 0) docker.flow = true;
  }
  return { text: print(doc, where), changed: true };
}
