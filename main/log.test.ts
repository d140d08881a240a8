import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED } from './log.js';

function capture() {
  const lines: string[] = [];
  const log = createLogger(
    (l) => lines.push(l),
    () => new Date('2025-01-02T03:04:05.000Z'),
  );
  return { lines, log };
}

describe('logger', () => {
  it('writes one line with time, level, message and fields', () => {
    const { lines, log } = capture();
    log.warn('mirror stopped', { exitCode: 2, err: new Error('boom') });
    expect(lines).toEqual([
      '2025-01-02T03:04:05.000Z warn mirror stopped {"exitCode":2,"err":{"name":"Error","message":"boom"}}',
    ]);
  });

  it('redacts a registered secret in messages and fields, also JSON-escaped', () => {
    const { lines, log } = capture();
    const secret = 'pa"ss\\word-123';
    log.addSecret(secret);
    log.error(`login failed for ${secret}`, { env: [`REGISTRY_PROXY_PASSWORD=${secret}`] });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('word-123');
    expect(lines[0]?.split(REDACTED)).toHaveLength(3);
  });

  it('keeps logging when the sink fails or fields cannot be serialised', () => {
    const log = createLogger(() => {
      throw new Error('disk full');
    });
    expect(() => log.info('x')).not.toThrow();
    const { lines, log: ok } = capture();
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    ok.info('odd', loop);
    expect(lines[0]).toContain('unserialisable');
  });
});
