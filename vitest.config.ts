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
    setupFiles: ['testbed/per-file-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Integration tests share one private dockerd; files run one at a time so ports and timings stay honest.
    fileParallelism: false,
    reporters: ['default'],
  },
});
