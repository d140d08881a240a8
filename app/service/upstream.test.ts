// The upstream watch with Docker Hub's allowance riding along: read in the background, at most every
// few minutes, only while the upstream answers; a failed read keeps the last value.
import { describe, expect, it } from 'vitest';
import type { Allowance, UpstreamState } from '../contract/values.js';
import { UpstreamWatch } from './upstream.js';

function setup(o: { reachable?: () => boolean; remaining?: () => number | Error } = {}) {
  let now = Date.parse('2026-12-05T10:00:00Z');
  const reads: string[] = [];
  const changes: UpstreamState[] = [];
  const errors: unknown[] = [];
  const watch = new UpstreamWatch({
    url: () => 'https://registry-1.docker.io',
    probe: async () =>
      (o.reachable?.() ?? true)
        ? { reachable: true, ms: 3 }
        : { reachable: false, reason: 'ENOTFOUND', ms: 3 },
    allowance: async (url): Promise<Allowance> => {
      reads.push(url);
      const remaining = o.remaining?.() ?? 76;
      if (remaining instanceof Error) throw remaining;
      return {
        limit: 100,
        remaining,
        windowSeconds: 21_600,
        as: 'anonymous',
        checkedAt: new Date(now).toISOString(),
      };
    },
    allowanceEveryMs: 300_000,
    onAllowanceError: (err) => errors.push(err),
    now: () => now,
  });
  watch.on('change', (s) => changes.push(s));
  return { watch, reads, changes, errors, advance: (ms: number) => (now += ms) };
}

describe('UpstreamWatch and the allowance', () => {
  it('reads the allowance after a probe that reached the upstream, then at most every 5 minutes', async () => {
    let remaining = 76;
    const { watch, reads, changes, advance } = setup({ remaining: () => remaining });
    const first = await watch.check();
    expect(first.allowance).toBeUndefined(); // the probe never waits for it
    await watch.allowanceSettled();
    expect(reads).toHaveLength(1);
    expect(watch.current?.allowance).toMatchObject({ limit: 100, remaining: 76 });
    expect(changes.map((c) => c.allowance?.remaining)).toEqual([undefined, 76]);

    advance(60_000);
    await watch.check();
    await watch.allowanceSettled();
    expect(reads).toHaveLength(1);
    expect(watch.current?.allowance?.remaining).toBe(76); // carried on every state

    advance(240_000);
    remaining = 75;
    await watch.check();
    await watch.allowanceSettled();
    expect(reads).toHaveLength(2);
    expect(changes.map((c) => c.allowance?.remaining)).toEqual([undefined, 76, 75]);

    advance(300_000); // read again, unchanged: nothing announced
    await watch.check();
    await watch.allowanceSettled();
    expect(reads).toHaveLength(3);
    expect(changes).toHaveLength(3);
  });

  it('reads nothing while the upstream does not answer', async () => {
    const { watch, reads } = setup({ reachable: () => false });
    await watch.check();
    await watch.allowanceSettled();
    expect(reads).toEqual([]);
    expect(watch.current).toMatchObject({ reachable: false, reason: 'ENOTFOUND' });
  });

  it('keeps the last allowance when a read fails, and waits as long before the next try', async () => {
    let answer: number | Error = 50;
    const { watch, reads, errors, advance } = setup({ remaining: () => answer });
    await watch.check();
    await watch.allowanceSettled();
    answer = new Error('the token service answered 503');
    advance(300_000);
    await watch.check();
    await watch.allowanceSettled();
    expect(errors.map(String)).toEqual(['Error: the token service answered 503']);
    expect(watch.current?.allowance?.remaining).toBe(50);
    advance(60_000);
    await watch.check();
    await watch.allowanceSettled();
    expect(reads).toHaveLength(2);
  });
});
