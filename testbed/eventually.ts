import { vi } from 'vitest';
import { WAIT_MS } from './deadline.js';

/**
 * Polls `check` until it stops throwing (and returns what it returned): vi.waitFor with a deadline a
 * loaded machine meets. Use it instead of vi.waitFor's 1 s default (the lint rule points here).
 */
export function eventually<T>(check: () => T | Promise<T>, timeout = WAIT_MS, interval = 50): Promise<T> {
  return vi.waitFor(check, { timeout, interval });
}
