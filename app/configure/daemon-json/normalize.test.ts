import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runs } from '../../../testbed/property.js';
import { DaemonJsonError } from './errors.js';
import { normalizeMirrorUrl, sameMirror, validateMirrorUrl } from './normalize.js';

describe('normalizeMirrorUrl', () => {
  it.each([
    ['http://localhost:5000', 'http://localhost:5000'],
    ['HTTP://LOCALHOST:5000/', 'http://localhost:5000'],
    ['http://Mirror.Example:80', 'http://mirror.example'],
    ['https://mirror.example:443///', 'https://mirror.example'],
    ['http://mirror.example:443', 'http://mirror.example:443'],
    ['https://mirror.example:80', 'https://mirror.example:80'],
    ['http://x/a/b/', 'http://x/a/b'],
    ['http://x/A/', 'http://x/A'],
    ['http://x/a/../b', 'http://x/b'],
    ['https://[0:0:0:0:0:0:0:1]:443/', 'https://[::1]'],
    ['FOO://Host.Example/p/', 'foo://host.example/p'],
  ])('%s → %s', (raw, normal) => {
    expect(normalizeMirrorUrl(raw)).toBe(normal);
  });

  it.each(['localhost:5000', '127.0.0.1', '', ' http://x', 'http://x ', 'http://a b', '//x', 'http://'])(
    'is null for %j (no scheme, whitespace, or unparsable)',
    (raw) => {
      expect(normalizeMirrorUrl(raw)).toBeNull();
    },
  );

  it('is idempotent and equal for equivalent spellings', () => {
    const host = fc.constantFrom('localhost', 'mirror.example', '127.0.0.1', '[::1]', 'Registry-1.Docker.IO');
    fc.assert(
      fc.property(
        fc.constantFrom('http', 'https'),
        host,
        fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        fc.array(fc.constantFrom('a', 'v2', 'Cache'), { maxLength: 2 }),
        fc.nat({ max: 3 }),
        fc.boolean(),
        (scheme, h, port, segments, slashes, shout) => {
          const path = segments.map((s) => `/${s}`).join('') + '/'.repeat(slashes);
          const raw = `${scheme}://${h}${port === undefined ? '' : `:${port}`}${path}`;
          const variant = shout
            ? `${scheme.toUpperCase()}://${h.toUpperCase()}${raw.slice(scheme.length + 3 + h.length)}`
            : raw;
          const normal = normalizeMirrorUrl(raw);
          expect(normal).not.toBeNull();
          expect(normalizeMirrorUrl(normal!)).toBe(normal);
          expect(normal!.endsWith('/')).toBe(false);
          expect(sameMirror(raw, variant)).toBe(true);
          const defaultPort = scheme === 'http' ? 80 : 443;
          expect(
            sameMirror(
              raw,
              raw.replace(`${h}${port === undefined ? '' : `:${port}`}`, `${h}:${port ?? defaultPort}`),
            ),
          ).toBe(true);
          if (port !== undefined && port !== defaultPort)
            expect(sameMirror(raw, raw.replace(`:${port}`, ''))).toBe(false);
        },
      ),
      runs(300),
    );
  });
});

describe('sameMirror', () => {
  it('compares non-URLs verbatim, and never matches them to URLs', () => {
    expect(sameMirror('localhost:5000', 'localhost:5000')).toBe(true);
    expect(sameMirror('localhost:5000', 'http://localhost:5000')).toBe(false);
    expect(sameMirror(' http://localhost:5000', 'http://localhost:5000')).toBe(false);
    expect(sameMirror('https://localhost:5000', 'http://localhost:5000')).toBe(false);
    expect(sameMirror('http://localhost:5000/v2', 'http://localhost:5000')).toBe(false);
  });
});

describe('validateMirrorUrl', () => {
  it('returns the normalised form of a good URL', () => {
    expect(validateMirrorUrl('HTTP://127.0.0.1:5000/')).toBe('http://127.0.0.1:5000');
    expect(validateMirrorUrl('https://mirror.example:443')).toBe('https://mirror.example');
  });

  it.each([
    ['127.0.0.1:5000', 'absolute URL'],
    ['ftp://mirror.example', 'http or https'],
    ['http://user:pw@mirror.example', 'credentials'],
    ['http://mirror.example/?x=1', 'query or fragment'],
    ['http://mirror.example/#top', 'query or fragment'],
    ['http://mirror.example?', 'query or fragment'],
  ])('rejects %j with BAD_MIRROR_URL', (raw, why) => {
    const err = (() => {
      try {
        validateMirrorUrl(raw);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DaemonJsonError);
    expect((err as DaemonJsonError).code).toBe('BAD_MIRROR_URL');
    expect((err as DaemonJsonError).message).toContain(why);
  });
});
