import { globSync, readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { WAIT_MS } from './testbed/deadline.js';

const include = [
  'app/**/*.test.ts',
  'main/**/*.test.ts',
  'testbed/**/*.test.ts',
  'renderer/**/*.test.ts?(x)',
  'e2e/**/*.test.ts',
  'bench/**/*.test.ts',
  'scripts/**/*.test.ts',
];

/**
 * A file that talks to the test bed's engine (its dockerd, stand-in Docker Hub, docker-machine or
 * registry images), read from what it uses: a new engine test joins the engine lane by itself.
 */
const ENGINE_USE =
  /\b(testDocker|testMirrorSettings|removeImagesExceptRegistry|removeLocalImages|pullsFromCacheAlone|needsEngineControl|describeWithEngineControl)\b|\btestbed\(\)|testbed\/(dockerd|upstream|docker-machine|suite-images|registry3)\.js|e2e\/ui\//;
const engineFiles = globSync(include, { exclude: (p) => p.includes('node_modules') }).filter(
  (f) => f.startsWith('e2e/ui/') || ENGINE_USE.test(readFileSync(f, 'utf8')),
);

const shared = {
  // The property seeds and the "every test asserts" rule, in every file.
  setupFiles: ['testbed/per-file-setup.ts', 'testbed/suite-setup.ts'],
  // Generous: at a load average of 15, a test that restarts the engine took more than a minute.
  testTimeout: 180_000,
  hookTimeout: 180_000,
  // expect.poll's 1 s default is missed on a loaded machine (testbed/deadline.ts).
  expect: { poll: { timeout: WAIT_MS, interval: 50 } },
  // A worker thread starts much faster than the default child process: on the 2-core machine, 65
  // engine-free files took 152 s instead of 305 s under load.
  pool: 'threads' as const,
  maxWorkers: 1,
  // Each file gets a fresh worker: no module, mock or global state is shared between them.
  isolate: true,
};

export default defineConfig({
  test: {
    // The skip reporter lists every skipped test with its reason, and fails a CI run that skipped one.
    reporters: ['default', './testbed/skip-reporter.ts'],
    // Two lanes, one file at a time each: the engine lane owns the private dockerd (so ports and the
    // engine's state stay each file's own); the unit lane holds every other file. `npm test` runs them
    // side by side in two processes (scripts/test.sh): most of the engine lane's time is waiting on
    // dockerd and containers. (One `vitest run` runs the two one after the other.)
    projects: [
      {
        test: {
          ...shared,
          name: 'engine',
          include: engineFiles,
          globalSetup: ['testbed/global-setup.ts'],
        },
      },
      {
        test: {
          ...shared,
          name: 'unit',
          include,
          exclude: ['**/node_modules/**', ...engineFiles],
        },
      },
    ],
  },
});
