/**
 * How long a test waits for a polled condition before it fails: vi.waitFor, expect.poll and
 * testing-library's findBy* all default to 1 s, which a loaded 2-core machine misses (a Settings test
 * failed in CI that way). A wait that succeeds returns as soon as the condition holds, so a generous
 * deadline costs nothing on a passing run.
 */
export const WAIT_MS = 60_000;
