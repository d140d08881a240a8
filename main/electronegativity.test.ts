// Electron security lint: @doyensec/electronegativity on the built main process, preload and renderer
// (as `npm run build:electron` makes them), failing on any finding not explained in
// electronegativity.allow.json. It reads only .js/.html/.ts files (not .mjs/.cjs), so it is given the
// built files under .js names. The check that needs the network (known Electron security fixes) is
// left out; the Electron version is the one installed.
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildElectronOutput } from './testing/package-app.js';

const require = createRequire(import.meta.url);

interface Issue {
  id: string;
  file: string;
  location: { line: number; column: number };
  sample?: string;
  description: string;
}
interface Allowed {
  check: string;
  file: string;
  sample: string;
  reason: string;
}
type Run = (options: {
  input: string;
  isRelative: boolean;
  electronVersionOverride: string;
  excludeFromScan: string[];
}) => Promise<{ issues: Issue[]; errors: { file: string; message: string }[]; atomicChecks: number }>;

const allow = (
  JSON.parse(readFileSync(new URL('./electronegativity.allow.json', import.meta.url), 'utf8')) as {
    allowed: Allowed[];
  }
).allowed;

async function scan(dir: string) {
  const run = require('@doyensec/electronegativity/dist/runner.js') as Run;
  return run({
    input: dir,
    isRelative: true,
    electronVersionOverride: (require('electron/package.json') as { version: string }).version,
    excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
  });
}

const explained = (issue: Issue) =>
  allow.find((a) => a.check === issue.id && a.file === issue.file && (issue.sample ?? '').includes(a.sample));

let tmp: string;
let result: Awaited<ReturnType<typeof scan>>;
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'drpc-electronegativity-'));
  const project = join(tmp, 'project');
  await buildElectronOutput(project);
  const input = join(tmp, 'input');
  mkdirSync(input);
  copyFileSync(join(project, 'out/main/index.mjs'), join(input, 'main.js'));
  copyFileSync(join(project, 'out/preload/preload.cjs'), join(input, 'preload.js'));
  copyFileSync(join(project, 'out/renderer/index.html'), join(input, 'index.html'));
  for (const f of readdirSync(join(project, 'out/renderer/assets')).filter((f) => f.endsWith('.js')))
    copyFileSync(join(project, 'out/renderer/assets', f), join(input, `renderer-${f}`));
  result = await scan(input);
}, 180_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('electronegativity on the built app', () => {
  it('parses every file and runs its checks', () => {
    expect(result.errors).toEqual([]);
    expect(result.atomicChecks).toBeGreaterThan(20);
  });

  it('finds nothing that electronegativity.allow.json does not explain', () => {
    const unexplained = result.issues
      .filter((i) => !explained(i))
      .map((i) => `${i.id} ${i.file}:${i.location.line} ${(i.sample ?? '').slice(0, 120)}`);
    expect(unexplained).toEqual([]);
  });

  it('has no stale entry: each explains a finding, with a reason', () => {
    for (const a of allow) {
      expect(a.reason.length, a.check).toBeGreaterThan(20);
      expect(
        result.issues.some((i) => explained(i) === a),
        `${a.check} ${a.file}`,
      ).toBe(true);
    }
  });

  it('reports a window with Node in its page, which no entry explains', async () => {
    const bad = join(tmp, 'bad');
    mkdirSync(bad);
    writeFileSync(
      join(bad, 'main.js'),
      "const { BrowserWindow } = require('electron');\n" +
        'const w = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false } });\n',
    );
    const { issues } = await scan(bad);
    const unexplained = issues.filter((i) => !explained(i)).map((i) => i.id);
    expect(unexplained).toEqual(expect.arrayContaining(['NODE_INTEGRATION_JS_CHECK', 'SANDBOX_JS_CHECK']));
  });
});
