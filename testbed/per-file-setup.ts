// Runs before every test file: each starts on an engine holding no image but the registry's, so no
// layer left by an earlier file makes a pull skip it (the mirror would then not cache it).
import { beforeAll, inject } from 'vitest';
import { removeImagesExceptRegistry, testDocker } from './helpers.js';

beforeAll(async () => {
  if (process.env.DRPC_NO_TESTBED === '1' || !inject('testbed')) return;
  await removeImagesExceptRegistry(testDocker());
});
