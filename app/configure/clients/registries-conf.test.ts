import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runs } from '../../../testbed/property.js';
import { checkEntries } from './entries.js';
import {
  addContainersMirrors,
  missingContainersMirrors,
  removeContainersMirrors,
} from './registries-conf.js';
import { parseToml } from './toml-text.js';
import { assemble, bodyLines, comment, isSubsequence, layout, uniqueLines } from './toml-gen.js';

const HUB = checkEntries([{ registry: 'docker.io', mirrorUrl: 'http://localhost:5000' }]);
const TWO = checkEntries([
  { registry: 'docker.io', mirrorUrl: 'http://localhost:5000' },
  { registry: 'quay.io', mirrorUrl: 'https://mirror.example:5002' },
]);

describe('registries.conf: examples', () => {
  it('writes a fresh file in the version 2 format', () => {
    expect(addContainersMirrors('', TWO).text).toBe(
      [
        '[[registry]]',
        'prefix = "docker.io"',
        'location = "docker.io"',
        '',
        '[[registry.mirror]]',
        'location = "localhost:5000"',
        'insecure = true',
        '',
        '[[registry]]',
        'prefix = "quay.io"',
        'location = "quay.io"',
        '',
        '[[registry.mirror]]',
        'location = "mirror.example:5002"',
        '',
      ].join('\n'),
    );
  });

  it("adds our mirror after the user's own mirrors of that registry (a prefix may appear once)", () => {
    const text =
      'unqualified-search-registries = ["docker.io"]\n\n# mine\n[[registry]]\nlocation = "docker.io"\n\n[[registry.mirror]]\nlocation = "other:1" # c\n\n[[registry]]\nprefix = "x.io"\nlocation = "y.io"\n';
    const out = addContainersMirrors(text, HUB).text;
    expect(out).toBe(
      'unqualified-search-registries = ["docker.io"]\n\n# mine\n[[registry]]\nlocation = "docker.io"\n\n[[registry.mirror]]\nlocation = "other:1" # c\n\n[[registry.mirror]]\nlocation = "localhost:5000"\ninsecure = true\n\n[[registry]]\nprefix = "x.io"\nlocation = "y.io"\n',
    );
    expect(missingContainersMirrors(out, HUB)).toEqual([]);
    expect(missingContainersMirrors(text, HUB)).toEqual([
      'no [[registry.mirror]] localhost:5000 for docker.io',
    ]);
  });

  it('refuses the version 1 format, wrong types and an insecure mirror set secure, changing nothing', () => {
    const cases: [string, RegExp][] = [
      ['[registries.search]\nregistries = ["docker.io"]\n', /version 1 format .* cannot be mixed/],
      ['[registry]\nx = 1\n', /registry is not a list of \[\[registry\]\] tables/],
      ['[[registry]]\nblocked = true\n', /\[\[registry\]\] number 1 has no prefix or location/],
      [
        '[[registry]]\nprefix = "docker.io"\nmirror = 3\n',
        /mirror of the \[\[registry\]\] for docker\.io is not a list/,
      ],
      [
        '[[registry]]\nprefix = "docker.io"\n[[registry.mirror]]\nlocation = "localhost:5000"\n',
        /listed without insecure = true/,
      ],
      [
        '[[registry]]\nprefix = "docker.io"\n[[registry.mirror]]\nlocation = "a"\ninsecure = "no"\n',
        /insecure of the mirror a of docker\.io is not true or false/,
      ],
      ['registry = [{ prefix = "docker.io" }]\n', /inline table/],
      ['[[registry]\n', /is not valid TOML/],
    ];
    for (const [text, message] of cases) expect(() => addContainersMirrors(text, HUB), text).toThrow(message);
  });
});

// ---- Properties: generated registries.conf files ------------------------------------------------

const registryBlock = fc.record({
  prefix: fc.constantFrom('docker.io', 'quay.io', 'registry.example.com', 'docker.io/library'),
  usePrefix: fc.boolean(),
  lines: bodyLines,
  mirrors: fc.array(
    fc.tuple(fc.constantFrom('m1.example', 'm2.example:5000'), fc.boolean(), fc.option(comment)),
    { maxLength: 2 },
  ),
  lead: fc.option(comment),
});

const registriesFile = fc
  .record({
    top: fc.array(
      fc.constantFrom(
        'unqualified-search-registries = ["docker.io"]',
        'short-name-mode = "enforcing"',
        '# top',
        '',
      ),
      { maxLength: 3 },
    ),
    registries: fc.uniqueArray(registryBlock, { selector: (r) => r.prefix, maxLength: 3 }),
    aliases: fc.boolean(),
    layout,
  })
  .map(({ top, registries, aliases, layout: { eol, finalEol } }) => {
    const blocks = registries.map((r) => [
      ...(r.lead ? [r.lead] : []),
      '[[registry]]',
      r.usePrefix ? `prefix = "${r.prefix}"` : `location = "${r.prefix}"`,
      ...uniqueLines(r.lines.filter((l) => !['prefix', 'location', 'mirror'].includes(l.key ?? ''))),
      ...r.mirrors.flatMap(([loc, insecure, c]) => [
        '',
        '[[registry.mirror]]',
        `location = "${loc}"${c ? ` ${c}` : ''}`,
        ...(insecure ? ['insecure = true'] : []),
      ]),
    ]);
    const tail = aliases ? [['[aliases]', '"app" = "docker.io/library/app"']] : [];
    return assemble(
      [
        [...new Set(top.filter((l) => l.includes('=')))],
        ...top.filter((l) => !l.includes('=')).map((l) => [l]),
        ...blocks,
        ...tail,
      ],
      eol,
      finalEol,
    );
  });

describe('registries.conf: properties', () => {
  it('configure twice = configure once; pure insertion; comments kept in order; our mirrors present', () => {
    fc.assert(
      fc.property(registriesFile, fc.constantFrom(HUB, TWO), (text, entries) => {
        const once = addContainersMirrors(text, entries);
        expect(addContainersMirrors(once.text, entries)).toEqual({ text: once.text, changed: false });
        expect(isSubsequence(text, once.text)).toBe(true);
        expect(missingContainersMirrors(once.text, entries)).toEqual([]);
        const comments = (t: string) => parseToml(t, 'x').doc.comments.map((c) => c.value);
        expect(comments(once.text)).toEqual(comments(text));
        if (!text.includes('\r\n')) expect(once.text).not.toContain('\r');
      }),
      runs(150),
    );
  });

  it('taking our mirrors out again deletes only what we added and gives back the same settings', () => {
    fc.assert(
      fc.property(registriesFile, fc.constantFrom(HUB, TWO), (text, entries) => {
        const once = addContainersMirrors(text, entries);
        const back = removeContainersMirrors(once.text, entries, text);
        expect(isSubsequence(back.text, once.text)).toBe(true);
        expect(parseToml(back.text, 'x').value).toEqual(parseToml(text, 'x').value);
      }),
      runs(150),
    );
  });
});
