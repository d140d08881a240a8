// Runs before every test file, engine or not: property tests get their seed (see property.ts), and a
// test that makes no assertion fails: a test that cannot fail proves nothing.
import { appendFileSync } from 'node:fs';
import { afterAll, beforeEach, expect } from 'vitest';
import { configureProperties, tally } from './property.js';

configureProperties();

beforeEach(() => {
  expect.hasAssertions();
});

// `npm run fuzz` (and anyone comparing) collects how many cases the properties ran.
afterAll(() => {
  const log = process.env.DRPC_PROPERTY_LOG;
  if (log && tally.properties > 0) appendFileSync(log, `${JSON.stringify(tally)}\n`);
  tally.properties = tally.cases = 0;
});
