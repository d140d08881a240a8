import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'app/**/*.test.ts',
      'main/**/*.test.ts',
      'testbed/**/*.test.ts',
      'renderer/**/*.test.ts?(x)',
      'e2e/**/*.test.ts',
      'bench/**/*.test.ts',
      'scripts/**/*.test.ts',
    ],
    globalSetup: ['testbed/global-setup.ts'],
    // The engine's clean slate per file; then property seeds and the "every test asserts" rule.
    setupFiles: ['testbed/per-file-setup.ts', 'testbed/suite-setup.ts'],
    // Generous: at a load average of 15, a test that restarts the engine took more than a minute.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Integration tests share one private dockerd; files run one at a time so ports and timings stay honest.
    fileParallelism: false,
    // Each file still gets a fresh worker (isolation kept: no module, mock or global state is shared
    // between files), but a worker thread starts much faster than the default child process: on the
    // 2-core machine, 65 engine-free files took 152 s instead of 305 s under load.
    pool: 'threads',
    // The skip reporter lists every skipped test with its reason, and fails a CI run that skipped one.
    reporters: ['default', './testbed/skip-reporter.ts'],
  },
});
