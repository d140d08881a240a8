import { describe, expect, it } from 'vitest';
import { classifyContainer, STARTUP_GRACE_MS } from './status.js';

const now = Date.parse('2026-01-01T00:01:00Z');
const state = (
  over: Partial<{ Running: boolean; Restarting: boolean; ExitCode: number; StartedAt: string }>,
) =>
  ({
    State: { Running: true, Restarting: false, ExitCode: 0, StartedAt: '2026-01-01T00:00:00Z', ...over },
    RestartCount: 0,
  }) as unknown as Parameters<typeof classifyContainer>[0];

describe('classifyContainer', () => {
  it('running when it answers', () => {
    expect(classifyContainer(state({}), true, now).state).toBe('running');
  });
  it('starting within the grace period, unhealthy after it', () => {
    const fresh = new Date(now - STARTUP_GRACE_MS / 2).toISOString();
    expect(classifyContainer(state({ StartedAt: fresh }), false, now).state).toBe('starting');
    const old = new Date(now - STARTUP_GRACE_MS * 2).toISOString();
    expect(classifyContainer(state({ StartedAt: old }), false, now).state).toBe('unhealthy');
  });
  it('stopped with its exit code', () => {
    const s = classifyContainer(state({ Running: false, ExitCode: 2 }), false, now);
    expect(s).toEqual({ state: 'stopped', message: expect.stringContaining('exit code 2') });
  });
  it('crash-looping while the engine restarts it, or when the restart count rises without health', () => {
    expect(
      classifyContainer(state({ Running: false, Restarting: true, ExitCode: 2 }), false, now).state,
    ).toBe('crash-looping');
    const rising = { ...state({ Running: true }), RestartCount: 4 };
    expect(classifyContainer(rising, false, now, 3).state).toBe('crash-looping');
    // A restart that ends healthy is not a loop.
    expect(classifyContainer(rising, true, now, 3).state).toBe('running');
    expect(classifyContainer(rising, false, now, 4).state).not.toBe('crash-looping');
  });
});
