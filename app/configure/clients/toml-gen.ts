// For the editors' tests: valid TOML files of the shapes people keep (comments, blank lines, other
// tables, arrays of tables, multi-line arrays, LF or CRLF, with or without a final newline), built
// from pieces so every generated file parses.
import fc from 'fast-check';

export const comment = fc
  .string({ unit: fc.constantFrom('a', 'b', ' ', 'é', '#', '=', '[', '"', '🐳'), maxLength: 12 })
  .map((s) => `#${s}`);
const blank = fc.constantFrom('', '  ', '\t');
const bare = fc.constantFrom('debug', 'root', 'enabled', 'x_1', 'k-2', 'gc');
const scalar = fc.oneof(
  fc.constantFrom(
    'true',
    'false',
    '1',
    '0x1F',
    '3.5',
    '"s"',
    "'lit'",
    '1979-05-27T07:32:00Z',
    '"""multi\n[not-a-table]\nline"""',
  ),
  fc.constantFrom('["a", "b"]', '[\n  1, # one\n  2,\n]', '{ a = 1, b = "x" }'),
);

/** Lines: key/values with optional trailing comments, comment lines, blank lines. */
export const bodyLines = fc.array(
  fc.oneof(
    fc
      .tuple(bare, scalar, fc.option(comment))
      .map(([k, v, c]) => ({ key: k, line: `${k} = ${v}${c ? ` ${c}` : ''}` })),
    comment.map((line) => ({ key: null, line })),
    blank.map((line) => ({ key: null, line })),
  ),
  { maxLength: 4 },
);

/** Only the first of each key (TOML refuses a key twice in a table). */
export function uniqueLines(lines: { key: string | null; line: string }[]): string[] {
  const seen = new Set<string>();
  return lines.filter((l) => l.key === null || (!seen.has(l.key) && seen.add(l.key))).map((l) => l.line);
}

/** Puts blocks of lines together with the chosen line ending and final newline. */
export function assemble(blocks: string[][], eol: string, finalEol: boolean): string {
  const text = blocks.flat().join('\n').split('\n').join(eol);
  return text === '' ? '' : finalEol ? text + eol : text;
}

export const layout = fc.record({ eol: fc.constantFrom('\n', '\r\n'), finalEol: fc.boolean() });

/** Is `small` what is left of `big` after removing some characters (a pure insertion into `small`)? */
export function isSubsequence(small: string, big: string): boolean {
  let i = 0;
  for (let j = 0; j < big.length && i < small.length; j++) if (big[j] === small[i]) i++;
  return i === small.length;
}
