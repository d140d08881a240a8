// /var/lib/boot2docker/profile: a shell file boot2docker sources before starting dockerd with
// $EXTRA_ARGS. We add `--registry-mirror URL` and `--insecure-registry HOST:PORT` to EXTRA_ARGS once,
// in the quoting style already there, and take exactly those out again. A profile we cannot read
// safely (an unterminated quote, an EXTRA_ARGS built from command substitutions) is refused.
import { sameMirror } from '../daemon-json/index.js';
import { configureError } from '../errors.js';

export interface MirrorFlags {
  /** http://IP:PORT */
  mirror: string;
  /** IP:PORT */
  insecureRegistry: string;
}

interface Assignment {
  /** where the value's text starts and ends (quotes included) */
  valueStart: number;
  valueEnd: number;
  quote: "'" | '"' | '';
  /** the text between the quotes (or the bare word) */
  inner: string;
}

const bad = (why: string) =>
  configureError(
    'INVALID_CONFIG',
    `the boot2docker profile cannot be edited safely: ${why}; it was left as it is`,
  );

/** Every `EXTRA_ARGS=` assignment at the start of a command, in file order. */
function extraArgsAssignments(text: string): Assignment[] {
  const found: Assignment[] = [];
  let i = 0;
  const skipQuoted = (at: number): number => {
    const q = text[at]!;
    let j = at + 1;
    while (j < text.length && text[j] !== q) j += q === '"' && text[j] === '\\' ? 2 : 1;
    if (j >= text.length) throw bad(`a ${q} quote opened at offset ${at} is never closed`);
    return j + 1;
  };
  while (i < text.length) {
    while (i < text.length && /[\s;]/.test(text[i]!)) i++;
    if (text[i] === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    const m = /(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=/y;
    m.lastIndex = i;
    const a = m.exec(text);
    if (a) {
      const start = i + a[0].length;
      let j = start;
      let segments = 0;
      let quote: Assignment['quote'] = '';
      while (j < text.length && !/[\s;]/.test(text[j]!)) {
        segments++;
        if (text[j] === "'" || text[j] === '"') {
          quote = text[j] as Assignment['quote'];
          j = skipQuoted(j);
        } else {
          while (j < text.length && !/[\s;'"]/.test(text[j]!)) j++;
        }
      }
      if (a[1] === 'EXTRA_ARGS') {
        if (segments > 1) throw bad('EXTRA_ARGS is made of several quoted parts');
        const inner = quote ? text.slice(start + 1, j - 1) : text.slice(start, j);
        if (/`|\$\(/.test(inner)) throw bad('EXTRA_ARGS uses command substitution');
        found.push({ valueStart: start, valueEnd: j, quote, inner });
      }
      i = j;
    }
    // The rest of the command, to the end of its line (quotes may span lines).
    while (i < text.length && text[i] !== '\n' && text[i] !== ';') {
      if (text[i] === '#' && /\s/.test(text[i - 1] ?? ' ')) {
        while (i < text.length && text[i] !== '\n') i++;
        break;
      }
      i = text[i] === "'" || text[i] === '"' ? skipQuoted(i) : i + 1;
    }
  }
  return found;
}

/** The words of the effective EXTRA_ARGS: the last assignment, plus the previous one where it says $EXTRA_ARGS. */
export function extraArgs(text: string): string[] {
  const all = extraArgsAssignments(text);
  const words = (k: number): string[] => {
    const a = all[k];
    if (!a) return [];
    const own = a.inner.split(/\s+/).filter(Boolean);
    return own.flatMap((w) => (/^\$\{?EXTRA_ARGS\}?$/.test(w) ? words(k - 1) : [w]));
  };
  return words(all.length - 1);
}

type FlagName = '--registry-mirror' | '--insecure-registry';

/** [start, end) of each flag with its value in `inner` that `matches`. */
function flagSpans(
  inner: string,
  flag: FlagName,
  matches: (value: string) => boolean,
): Array<[number, number]> {
  const tokens = [...inner.matchAll(/\S+/g)].map((t) => ({
    text: t[0],
    start: t.index,
    end: t.index + t[0].length,
  }));
  const spans: Array<[number, number]> = [];
  tokens.forEach((t, k) => {
    if (t.text.startsWith(`${flag}=`) && matches(t.text.slice(flag.length + 1))) spans.push([t.start, t.end]);
    const next = tokens[k + 1];
    if (t.text === flag && next && matches(next.text)) spans.push([t.start, next.end]);
  });
  return spans;
}

function hasFlag(words: string[], flag: FlagName, matches: (value: string) => boolean): boolean {
  return words.some(
    (w, k) =>
      (w === flag && matches(words[k + 1] ?? '')) ||
      (w.startsWith(`${flag}=`) && matches(w.slice(flag.length + 1))),
  );
}

const isMirror = (url: string) => (v: string) => sameMirror(v, url);
const isRegistry = (reg: string) => (v: string) => v.toLowerCase() === reg.toLowerCase();

export function hasMirrorFlags(text: string, f: MirrorFlags): { mirror: boolean; insecure: boolean } {
  const words = extraArgs(text);
  return {
    mirror: hasFlag(words, '--registry-mirror', isMirror(f.mirror)),
    insecure: hasFlag(words, '--insecure-registry', isRegistry(f.insecureRegistry)),
  };
}

/** Adds what is missing of the two flags to EXTRA_ARGS; creates EXTRA_ARGS when there is none. */
export function addMirrorFlags(text: string, f: MirrorFlags): { text: string; changed: boolean } {
  const have = hasMirrorFlags(text, f);
  const add = [
    ...(have.insecure ? [] : [`--insecure-registry ${f.insecureRegistry}`]),
    ...(have.mirror ? [] : [`--registry-mirror ${f.mirror}`]),
  ];
  if (!add.length) return { text, changed: false };
  const last = extraArgsAssignments(text).at(-1);
  if (!last) {
    // docker-machine's own layout: one flag a line inside single quotes.
    const block = `EXTRA_ARGS='\n${add.join('\n')}\n'\n`;
    return { text: text === '' || text.endsWith('\n') ? text + block : `${text}\n${block}`, changed: true };
  }
  let { inner } = last;
  if (last.quote === '' && !/^[\w=:./,@+-]*$/.test(inner))
    throw bad(`EXTRA_ARGS=${inner} is not a plain word`);
  const multiLine = inner.includes('\n');
  const sep = multiLine ? '\n' : ' ';
  const end = inner.trimEnd().length;
  const lead = end > 0 || multiLine ? sep : '';
  inner = inner.slice(0, end) + lead + add.join(sep) + inner.slice(end);
  const quote = last.quote || "'";
  const value = `${quote}${inner}${quote}`;
  return { text: text.slice(0, last.valueStart) + value + text.slice(last.valueEnd), changed: true };
}

/** Takes the two flags (with exactly these values) out of every EXTRA_ARGS assignment. */
export function removeMirrorFlags(text: string, f: MirrorFlags): { text: string; changed: boolean } {
  let out = text;
  // From the end, so earlier offsets stay valid.
  for (const a of extraArgsAssignments(text).reverse()) {
    const spans = [
      ...flagSpans(a.inner, '--registry-mirror', isMirror(f.mirror)),
      ...flagSpans(a.inner, '--insecure-registry', isRegistry(f.insecureRegistry)),
    ].sort((x, y) => y[0] - x[0]);
    if (!spans.length) continue;
    let inner = a.inner;
    for (let [s, e] of spans) {
      while (s > 0 && /[ \t]/.test(inner[s - 1]!)) s--;
      while (e < inner.length && /[ \t]/.test(inner[e]!)) e++;
      // A flag alone on its line takes its line break with it.
      if ((s === 0 || inner[s - 1] === '\n') && inner[e] === '\n') e++;
      const joined = s > 0 && e < inner.length && !/\s/.test(inner[s - 1]!) && !/\s/.test(inner[e]!);
      inner = inner.slice(0, s) + (joined ? ' ' : '') + inner.slice(e);
    }
    const value = a.quote ? `${a.quote}${inner}${a.quote}` : inner.includes(' ') ? `'${inner}'` : inner;
    out = out.slice(0, a.valueStart) + value + out.slice(a.valueEnd);
  }
  return { text: out, changed: out !== text };
}

/** The mirror flags for a machine's engine, from the mirror's address. */
export function mirrorFlagsFor(host: string, port: number): MirrorFlags {
  const h = host.includes(':') ? `[${host}]` : host;
  return { mirror: `http://${h}:${port}`, insecureRegistry: `${h}:${port}` };
}
