// axe-core in the journeys' page: every view and state they reach is checked, light and dark, and any
// serious or critical violation fails the journey. The source is evaluated through the DevTools protocol
// (page.evaluate), which the page's CSP does not govern, so nothing is loosened for the test.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

interface AxeResult {
  violations: Array<{
    id: string;
    impact?: string | null;
    help: string;
    nodes: Array<{ target: unknown[]; failureSummary?: string }>;
  }>;
}

/** Serious and critical violations on the page as it is now (WCAG 2.x A and AA, best practices). */
export async function axeViolations(page: Page): Promise<AxeFinding[]> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const result = (await page.evaluate(() =>
    (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<unknown> } }).axe.run(document, {
      resultTypes: ['violations'],
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    }),
  )) as AxeResult;
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact!,
      help: v.help,
      targets: v.nodes.map(
        (n) =>
          `${n.target.join(' ')}${n.failureSummary ? `: ${n.failureSummary.split('\n').slice(1).join(' ').trim()}` : ''}`,
      ),
    }));
}

/** One line per violation, for a failure message a person can act on. */
export function describeFindings(state: string, findings: AxeFinding[]): string {
  return findings
    .map((f) => `${state}: ${f.id} (${f.impact}) ${f.help}\n  ${f.targets.slice(0, 8).join('\n  ')}`)
    .join('\n');
}
