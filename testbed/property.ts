// Property tests' parameters: one fixed seed in `npm test` (a failure prints it with the counterexample
// and the path, so it replays), a random seed and 100 times the runs under `npm run fuzz` (DRPC_FUZZ=1).
import fc from 'fast-check';

/** `npm run fuzz` sets it; `npm test` never does. */
export const FUZZ = process.env.DRPC_FUZZ === '1';
/** How many more cases a property runs under `npm run fuzz`. */
export const FUZZ_FACTOR = 100;
/** The seed of every property in `npm test`; DRPC_FUZZ_SEED replays a seed a fuzz run printed. */
export const FIXED_SEED = 20_251_205;

/** fast-check's parameters for a property that runs n cases in `npm test`. */
export function runs(n: number): { numRuns: number } {
  return { numRuns: FUZZ ? n * FUZZ_FACTOR : n };
}

/** The seed of this run: fixed, random under fuzzing, or the one asked for. */
export function propertySeed(env: NodeJS.ProcessEnv = process.env): number {
  if (env.DRPC_FUZZ_SEED) return Number(env.DRPC_FUZZ_SEED);
  return env.DRPC_FUZZ === '1' ? (Date.now() ^ (Math.random() * 0x100000000)) | 0 : FIXED_SEED;
}

/** Properties and cases this worker ran since the last file (the fuzz script prints the totals). */
export const tally: { properties: number; cases: number } = ((
  globalThis as { [k: symbol]: { properties: number; cases: number } }
)[Symbol.for('drpc.property-counts')] ??= { properties: 0, cases: 0 });

export function configureProperties(env: NodeJS.ProcessEnv = process.env): void {
  fc.configureGlobal({
    seed: propertySeed(env),
    ...(env.DRPC_FUZZ === '1' ? { numRuns: 100 * FUZZ_FACTOR } : {}),
  });
  // Once per worker: a worker that runs several files (isolate: false) keeps its fast-check module.
  const installed = Symbol.for('drpc.property-tally');
  const g = globalThis as { [installed]?: boolean };
  if (g[installed]) return;
  g[installed] = true;
  fc.installGlobalPlugin(() => ({
    onAllRunsComplete: (details: fc.RunDetails<unknown>) => {
      tally.properties++;
      tally.cases += details.numRuns;
    },
  }));
}
