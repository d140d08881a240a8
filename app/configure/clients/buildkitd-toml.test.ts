import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runs } from '../../../testbed/property.js';
import { addBuildkitMirrors, missingBuildkitMirrors, removeBuildkitMirrors } from './buildkitd-toml.js';
import { checkEntries } from './entries.js';
import { parseToml } from './toml-text.js';
import { assemble, bodyLines, comment, isSubsequence, layout, uniqueLines } from './toml-gen.js';

const HUB = checkEntries([{ registry: 'docker.io', mirrorUrl: 'http://localhost:5000' }]);
const TWO = checkEntries([
  { registry: 'docker.io', mirrorUrl: 'http://localhost:5000' },
  { registry: 'ghcr.io', mirrorUrl: 'https://mirror.example:5001/' },
]);

describe('buildkitd.toml: examples', () => {
  it('writes a fresh file as BuildKit documents it', () => {
    expect(addBuildkitMirrors('', TWO).text).toBe(
      [
        '[registry."docker.io"]',
        '  mirrors = ["localhost:5000"]',
        '',
        '[registry."localhost:5000"]',
        '  http = true',
        '',
        '[registry."ghcr.io"]',
        '  mirrors = ["mirror.example:5001"]',
        '',
      ].join('\n'),
    );
  });

  it("appends to the user's mirrors list in place and keeps their comments", () => {
    const text =
      'debug = true\n# mine\n[registry."docker.io"]\n  mirrors = ["mirror.gcr.io"] # theirs\n[worker.oci]\n  enabled = true';
    const out = addBuildkitMirrors(text, HUB).text;
    expect(out).toBe(
      'debug = true\n# mine\n[registry."docker.io"]\n  mirrors = ["mirror.gcr.io", "localhost:5000"] # theirs\n[worker.oci]\n  enabled = true\n\n[registry."localhost:5000"]\n  http = true\n',
    );
    expect(missingBuildkitMirrors(out, HUB)).toEqual([]);
    expect(missingBuildkitMirrors(text, HUB)).toEqual([
      '[registry."docker.io"] mirrors lacks "localhost:5000"',
      '[registry."localhost:5000"] lacks http = true',
    ]);
  });

  it('adds a mirrors key to an existing table, in its indentation and line endings', () => {
    expect(
      addBuildkitMirrors(
        '[registry."docker.io"]\r\n\tinsecure = false\r\n[registry."localhost:5000"]\r\n',
        HUB,
      ).text,
    ).toBe(
      '[registry."docker.io"]\r\n\tinsecure = false\r\n\tmirrors = ["localhost:5000"]\r\n[registry."localhost:5000"]\r\n  http = true\r\n',
    );
  });

  it('refuses wrong types and forms it does not edit, in words, changing nothing', () => {
    const cases: [string, RegExp][] = [
      ['registry = 1\n', /registry is not a table/],
      ['[registry]\n"docker.io" = "x"\n', /\[registry\."docker\.io"\] is not a table/],
      [
        '[registry."docker.io"]\nmirrors = "localhost:5000"\n',
        /mirrors in \[registry\."docker\.io"\] is not a list of host names/,
      ],
      ['[registry."docker.io"]\nmirrors = [1]\n', /is not a list of host names/],
      [
        '[registry."localhost:5000"]\nhttp = "yes"\n',
        /http in \[registry\."localhost:5000"\] is not true or false/,
      ],
      [
        '[registry."localhost:5000"]\nhttp = false\n',
        /sets http = false, but the mirror http:\/\/localhost:5000 speaks plain HTTP/,
      ],
      ['registry."docker.io".ca = ["x"]\n', /written with dotted keys or as an inline table/],
      ['[registry\n', /is not valid TOML \(line \d+, column \d+\)/],
      ['a = 1\na = 2\n', /is not valid TOML \(line 2/],
    ];
    for (const [text, message] of cases) expect(() => addBuildkitMirrors(text, HUB), text).toThrow(message);
  });
});

// ---- Properties: generated buildkitd.toml files -------------------------------------------------

const existingHub = fc.oneof(
  fc.constant<string[]>([]),
  fc.constantFrom(
    ['[registry."docker.io"]', '  mirrors = ["mirror.gcr.io"]'],
    ['[registry."docker.io"]', '  mirrors = []'],
    ['[registry."docker.io"]', '  mirrors = [', '    "a.example", # first', '    "b.example",', '  ]'],
    ['[registry."docker.io"]', '  insecure = true'],
    ['[registry."docker.io"]'],
    ['[registry."localhost:5000"]', '  http = true'],
  ),
);

const buildkitFile = fc
  .record({
    top: bodyLines,
    hub: existingHub,
    hubComment: fc.option(comment),
    others: fc.uniqueArray(
      fc.tuple(fc.constantFrom('grpc', 'worker.oci', 'worker.containerd', 'history', 'otel'), bodyLines),
      {
        selector: ([name]) => name,
        maxLength: 3,
      },
    ),
    hubFirst: fc.boolean(),
    layout,
  })
  .map(({ top, hub, hubComment, others, hubFirst, layout: { eol, finalEol } }) => {
    const otherBlocks = others.map(([name, lines]) => [`[${name}]`, ...uniqueLines(lines)]);
    const hubBlock: string[] = hubComment && hub.length ? [hubComment, ...hub] : [...hub];
    const tablesInOrder = hubFirst ? [hubBlock, ...otherBlocks] : [...otherBlocks, hubBlock];
    return assemble([uniqueLines(top), ...tablesInOrder], eol, finalEol);
  });

describe('buildkitd.toml: properties', () => {
  it('configure twice = configure once; the original is kept byte for byte (pure insertion); the value is exactly ours added', () => {
    fc.assert(
      fc.property(buildkitFile, fc.constantFrom(HUB, TWO), (text, entries) => {
        const once = addBuildkitMirrors(text, entries);
        expect(addBuildkitMirrors(once.text, entries)).toEqual({ text: once.text, changed: false });
        expect(isSubsequence(text, once.text)).toBe(true);
        expect(once.text.startsWith(text.slice(0, text.search(/\[registry|$/)))).toBe(true);
        expect(missingBuildkitMirrors(once.text, entries)).toEqual([]);
        // Comments survive in order.
        const comments = (t: string) => parseToml(t, 'x').doc.comments.map((c) => c.value);
        expect(comments(once.text)).toEqual(comments(text));
        // No new line ending style appears.
        if (!text.includes('\r\n')) expect(once.text).not.toContain('\r');
      }),
      runs(150),
    );
  });

  it('taking our entries out again (a file changed since) deletes only what we added and gives back the same settings', () => {
    fc.assert(
      fc.property(buildkitFile, fc.constantFrom(HUB, TWO), (text, entries) => {
        const once = addBuildkitMirrors(text, entries);
        const back = removeBuildkitMirrors(once.text, entries, text);
        expect(isSubsequence(back.text, once.text)).toBe(true);
        expect(parseToml(back.text, 'x').value).toEqual(parseToml(text, 'x').value);
        // A file that ended with a newline gets back exactly its bytes.
        if (once.changed && (text === '' || text.endsWith('\n'))) expect(back.text).toBe(text);
      }),
      runs(150),
    );
  });

  it('refuses a file that is not TOML, whatever is around the error', () => {
    fc.assert(
      fc.property(
        buildkitFile,
        fc.constantFrom('[registry\n', 'x = \n', 'a = "unterminated\n', '[[t]]\n[t]\n'),
        (text, bad) => {
          expect(() => addBuildkitMirrors(`${bad}${text}`, HUB)).toThrow(
            /is not valid TOML \(line \d+, column \d+\).*left as it is/,
          );
        },
      ),
      runs(50),
    );
  });
});
