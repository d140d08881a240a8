// Makes the Electron e2e suite's state visible in `npm test`: here (no Electron binary) it must report
// itself skipped, with the reason, and not fail; where a binary exists, that binary is what it runs.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { findElectronBinary } from './electron-binary.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const spec = fileURLToPath(new URL('./app.spec.ts', import.meta.url));
const env = { ...process.env, DRPC_E2E_REQUIRE: '' };
const binary = findElectronBinary(env);

describe('the Electron e2e suite (e2e/electron/app.spec.ts)', () => {
  it.runIf('skip' in binary)(`is skipped here: ${'skip' in binary ? binary.skip : ''}`, async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=tap', spec],
      { cwd: root, env, timeout: 60_000 },
    );
    const reason = 'skip' in binary ? binary.skip : '';
    expect(stdout).toContain(`ok 1 - the menu-bar app # SKIP ${reason}`);
    expect(stdout).toMatch(/^# fail 0$/m);
    expect(stdout).toMatch(/^# skipped 1$/m);
    console.info(`Electron e2e: skipped: ${reason}`);
  });

  it.runIf('skip' in binary)('fails instead of skipping when CI requires it', async () => {
    const run = promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=tap', spec],
      {
        cwd: root,
        env: { ...env, DRPC_E2E_REQUIRE: '1' },
        timeout: 60_000,
      },
    );
    await expect(run).rejects.toMatchObject({
      stdout: expect.stringMatching(/cannot run: no Electron binary/),
    });
  });

  it.runIf('path' in binary)(
    `runs against the Electron binary that exists here${'skip' in binary ? ` (skipped: ${binary.skip})` : ''}`,
    () => {
      expect('path' in binary && existsSync(binary.path)).toBe(true);
    },
  );
});

describe('findElectronBinary', () => {
  it('explains a missing binary, a missing file and a missing display', () => {
    const dir = fileURLToPath(new URL('./', import.meta.url)); // no path.txt here
    expect(findElectronBinary({}, 'darwin', dir)).toEqual({
      skip: expect.stringMatching(/path\.txt is missing/),
    });
    expect(findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: '/nowhere' }, 'darwin', dir)).toEqual({
      skip: 'no Electron binary at /nowhere/electron',
    });
    const dist = mkdtempSync(join(tmpdir(), 'drpc-electron-dist-'));
    writeFileSync(join(dist, 'electron'), '');
    expect(findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: dist }, 'linux', dir)).toEqual({
      skip: 'no display to open windows on (run under xvfb-run)',
    });
    expect(findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: dist, DISPLAY: ':99' }, 'linux', dir)).toEqual({
      path: join(dist, 'electron'),
    });
  });
});
