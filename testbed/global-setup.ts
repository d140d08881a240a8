// Vitest global setup: bring the test bed up once for the whole run, and down again unless it was
// already running before (then a developer started it with `npm run testbed -- up` and keeps it).
import type { TestProject } from 'vitest/node';
import { isAlive, readPid } from './dockerd.js';
import { ensureTestbed, teardown, type TestbedInfo } from './index.js';
import { EXTERNAL_HOST } from './layout.js';
import { suiteRegistry } from './registry3.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testbed: TestbedInfo;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  // Pure unit-test runs during development may opt out; `npm test` never sets this.
  if (process.env.DRPC_NO_TESTBED === '1') return;
  // The pidfile, not the saved state: a test that restarts the engine changes its pid.
  // On an engine the suite does not own (DRPC_TEST_DOCKER_HOST), what it made always goes at the end.
  const wasRunning = !EXTERNAL_HOST && isAlive(readPid());
  // Said once, at the top: the run is on 2.8 because registry 3 cannot be built from this clone.
  const registry = suiteRegistry();
  if (registry.why) console.warn(`\n== registry 3 unavailable: ${registry.why}\n`);
  // In CI a missing engine is a failure, never a silent skip: ensureTestbed throws with the reason.
  const info = await ensureTestbed();
  const { fixtures: _fixtures, ...plain } = info;
  project.provide('testbed', plain);
  return async () => {
    if (!wasRunning) await teardown();
  };
}
