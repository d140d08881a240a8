// A stopped monitor tells nobody: a check that was in flight when it stopped (or that an engine event
// on its way started) used to emit afterwards, and a keeper made after it for the same listeners
// received the old keeper's status (keeper.test.ts saw "not created yet: run up" where the new keeper
// says recreation is off).
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { StatusMonitor } from './monitor.js';
import type { MirrorStatus } from './status.js';

const status = (state: MirrorStatus['state']) => ({ state }) as MirrorStatus;

describe('StatusMonitor', () => {
  // start() is never called: no engine is watched, so no engine is needed.
  const noEngine = {} as Docker;

  it('emits what a check finds while it runs', async () => {
    const m = new StatusMonitor(noEngine, { status: async () => status('running') });
    const seen: string[] = [];
    m.on('status', (s) => seen.push(s.state));
    await m.refresh();
    expect(seen).toEqual(['running']);
  });

  it('emits nothing for a check that ends after stop()', async () => {
    let answer: (s: MirrorStatus) => void = () => {};
    const m = new StatusMonitor(noEngine, { status: () => new Promise((r) => (answer = r)) });
    const seen: string[] = [];
    m.on('status', (s) => seen.push(s.state));
    const check = m.refresh();
    m.stop();
    answer(status('not-created'));
    expect((await check).state).toBe('not-created');
    expect(seen).toEqual([]);
  });
});
