import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../settings/json-file.js';
import { addBuildkitMirrors } from './buildkitd-toml.js';
import { checkEntries } from './entries.js';
import {
  appendBlock,
  applySplices,
  eolOf,
  lineEnd,
  lineStart,
  parseToml,
  checkReadBack,
  removeBlock,
} from './toml-text.js';
import { ClientUndoStore } from './undo-records.js';

describe('toml-text', () => {
  it('finds line starts and ends, the first line at offset 0 included', () => {
    const text = '\nab\r\ncd';
    expect(lineStart(text, 0)).toBe(0);
    expect(lineStart(text, 2)).toBe(1);
    expect(lineEnd(text, 1)).toBe(5);
    expect(lineEnd(text, 5)).toBe(7);
    expect(eolOf('a\r\nb\n')).toBe('\r\n');
    expect(eolOf('a')).toBe('\n');
  });

  it('splices from the end so offsets into the original stay right', () => {
    expect(
      applySplices('abcdef', [
        { at: 1, remove: 1, insert: 'X' },
        { at: 4, remove: 0, insert: 'Y' },
      ]),
    ).toBe('aXcdYef');
  });

  it('appends a block after a blank line and removes it with that blank line', () => {
    for (const text of ['a = 1\n', 'a = 1\r\n', '']) {
      const s = appendBlock(text, ['[t]', 'k = 1']);
      const out = applySplices(text, [s]);
      const t = parseToml(out, 'x').doc.body[0].body.at(-1)!;
      expect(applySplices(out, [removeBlock(out, t)])).toBe(text);
    }
  });

  it('keeps a byte order mark where it is', () => {
    const hub = checkEntries([{ registry: 'docker.io', mirrorUrl: 'https://m.example' }]);
    expect(addBuildkitMirrors('\uFEFFdebug = true\n', hub).text).toBe(
      '\uFEFFdebug = true\n\n[registry."docker.io"]\n  mirrors = ["m.example"]\n',
    );
  });

  it('says where a file is not TOML, and compares big integers too', () => {
    expect(() => parseToml('a = 1\nb = @\n', 'f.toml')).toThrow(
      /^f\.toml is not valid TOML \(line 2, column \d+\): .*; it was left as it is$/,
    );
    // Parsed values hold big integers as JS numbers; the read-back check compares them as written.
    expect(() =>
      checkReadBack(
        'a = 9223372036854775806',
        { a: Number('9223372036854775807') },
        'x',
        'a = 9223372036854775807',
      ),
    ).toThrow(/could not add its entries without touching what is there/);
    expect(() => checkReadBack('a = 1\nb = true', { a: 1, b: true }, 'x', 'a = 1')).not.toThrow();
  });
});

describe('client undo records', () => {
  it('keeps the rest of the settings file and refuses records it cannot read', async () => {
    const json = memoryStore({ port: 5000, engineUndo: { x: [] } });
    const store = new ClientUndoStore(json);
    const undo = {
      version: 1 as const,
      client: 'podman',
      path: '/f',
      entries: [{ registry: 'docker.io', mirrorUrl: 'http://h:1' }],
      before: null,
      afterSha256: 'a'.repeat(64),
    };
    await store.push('podman:/f', { at: 'now', undo });
    expect(await json.read()).toEqual({
      port: 5000,
      engineUndo: { x: [] },
      clientUndo: { 'podman:/f': [{ at: 'now', undo }] },
    });
    await store.pop('podman:/f');
    expect(await json.read()).toEqual({ port: 5000, engineUndo: { x: [] } });
    await json.write({ clientUndo: { k: [{ at: 1 }] } });
    await expect(store.all()).rejects.toThrow(/undo records \(clientUndo\) .* are not readable/);
  });
});
