// No silent skip: every skipped test is listed at the end of the run with its reason (the note given to
// ctx.skip, or its name), and with CI=true the run fails when any test is skipped other than the ones
// that need what no CI machine here has (the Electron binary). Set as a vitest reporter.
import type { Reporter, TestModule, Vitest } from 'vitest/node';
import { suiteRegistry } from './registry3.js';

/**
 * Tests that may be skipped in CI: the Electron binary's e2e (it cannot be downloaded here). On 2.8
 * (DRPC_REGISTRY=2, the documented second run, or a clone that cannot reach the registry 3 source,
 * said at the start of the run) also the tests that need registry:3.
 */
export function skipAllowed(env: NodeJS.ProcessEnv = process.env): readonly RegExp[] {
  const always = [/^e2e\/electron\//];
  if (suiteRegistry(env).version === 3) return always;
  return [
    ...always,
    /^testbed\/registry3\.test\.ts$/,
    /^app\/mirror\/expiry\.test\.ts$/,
    /^app\/mirror\/image-fallback\.test\.ts$/,
    /^app\/mirror\/cross-version\.test\.ts$/,
    /^app\/team\/registry3-serve\.test\.ts$/,
    /^app\/team\/team-mirror\.test\.ts$/,
  ];
}

export interface Skipped {
  file: string;
  name: string;
  reason: string;
}

/** The skipped tests; those left out by a name filter (`-t`) were not asked for, so they are not counted. */
export function skippedTests(modules: readonly TestModule[], namePattern?: RegExp): Skipped[] {
  const out: Skipped[] = [];
  for (const m of modules) {
    for (const t of m.children.allTests()) {
      const r = t.result();
      if (r.state !== 'skipped' || (namePattern && !namePattern.test(t.fullName))) continue;
      out.push({
        file: m.relativeModuleId,
        name: t.fullName,
        reason: r.note ?? (/\(skipped: /.test(t.name) ? 'its name says why' : '(no reason given)'),
      });
    }
  }
  return out;
}

/** CI=true (any value but empty, 0 or false), as CI services set it. */
export function inCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.CI ?? '').toLowerCase();
  return v !== '' && v !== '0' && v !== 'false';
}

export default class SkipReporter implements Reporter {
  private namePattern?: RegExp;

  onInit(vitest: Vitest): void {
    this.namePattern = vitest.config.testNamePattern;
  }

  onTestRunEnd(modules: readonly TestModule[]): void {
    const skipped = skippedTests(modules, this.namePattern);
    if (skipped.length === 0) return;
    const ci = inCI();
    const allowed = skipAllowed();
    const refused = skipped.filter((s) => !allowed.some((re) => re.test(s.file)));
    const lines = skipped.map((s) => {
      const mark = ci && refused.includes(s) ? 'NOT ALLOWED IN CI' : 'skipped';
      return `  ${mark}: ${s.file} > ${s.name}: ${s.reason}`;
    });
    console.log(`\n${skipped.length} test(s) skipped:\n${lines.join('\n')}`);
    if (ci && refused.length > 0) {
      console.error(
        `\nCI=true: ${refused.length} test(s) skipped; in CI every test runs (only the Electron binary's e2e may be skipped).`,
      );
      process.exitCode = 1;
    }
  }
}
