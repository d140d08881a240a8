// How the app starts inside Electron (launch.ts): a failure reaches the user as a native dialog and
// the log file, and an app started from Finder finds Homebrew's docker-machine and colima.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { DockerMachine } from '../app/configure/machine/cli.js';
import { COPY_DETAILS, launch, type LaunchPort } from './launch.js';
import { withHomebrewPath } from './path-env.js';
import { app, clipboard, dialog, resetFakeElectron } from './testing/fake-electron.js';

let logs: string;
function port(env: NodeJS.ProcessEnv = {}, extra: Partial<LaunchPort> = {}): LaunchPort {
  return { app, dialog, clipboard, env, platform: 'darwin', ...extra };
}

beforeEach(() => {
  resetFakeElectron();
  logs = mkdtempSync(join(tmpdir(), 'drpc-launch-logs-'));
  app.logs = join(logs, 'Docker Registry Proxy Cache');
});

describe('a failure to start', () => {
  const failing = async () => {
    throw new Error('EACCES: permission denied, open /Users/a/Library/Application Support/x/settings.json');
  };

  it('shows a native dialog with the message and where the log is, then quits with status 1', async () => {
    await launch(failing, port());
    expect(dialog.shown).toHaveLength(1);
    const shown = dialog.shown[0]!;
    expect(shown).toMatchObject({ type: 'error', buttons: ['Quit', 'Copy details'] });
    expect(shown.detail).toContain('EACCES: permission denied');
    expect(shown.detail).toContain(join(app.logs, 'main.log'));
    expect(clipboard.readText()).toBe(''); // Quit copies nothing
    expect(app.exitCode).toBe(1);
  });

  it('is written to the log file, owner-only', async () => {
    await launch(failing, port());
    const file = join(app.logs, 'main.log');
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/ error failed to start .*EACCES: permission denied/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('copies the details (message, version, stack) with "Copy details"', async () => {
    dialog.responses.push(COPY_DETAILS);
    await launch(failing, port());
    expect(clipboard.readText()).toContain('could not start: EACCES: permission denied');
    expect(clipboard.readText()).toContain('0.1.0-test');
    expect(clipboard.readText()).toMatch(/at failing|launch\.test\.ts/);
    expect(app.exitCode).toBe(1);
  });

  it('still quits when neither the log nor the dialog can be had', async () => {
    const notADir = join(logs, 'a-file');
    writeFileSync(notADir, '');
    app.logs = join(notADir, 'logs'); // ENOTDIR
    app.ready = false;
    await launch(failing, port());
    expect(dialog.shown).toEqual([]);
    expect(app.exitCode).toBe(1);
  });

  it('is not reported when the app starts', async () => {
    await launch(async () => {}, port());
    expect(dialog.shown).toEqual([]);
    expect(app.exited).toBe(false);
  });
});

describe("an app started from Finder (launchd's PATH)", () => {
  it("finds docker-machine in Homebrew's directory", async () => {
    const brew = mkdtempSync(join(tmpdir(), 'drpc-brew-bin-'));
    mkdirSync(brew, { recursive: true });
    writeFileSync(
      join(brew, 'docker-machine'),
      '#!/bin/sh\necho "docker-machine version 0.16.2, build bd45ab13"\n',
    );
    chmodSync(join(brew, 'docker-machine'), 0o755);
    const env: NodeJS.ProcessEnv = { PATH: '/usr/bin:/bin:/usr/sbin:/sbin' };
    let found: unknown;
    await launch(
      async () => {
        found = await new DockerMachine({ env }).version();
      },
      port(env, { brewDirs: [brew] }),
    );
    expect(dialog.shown).toEqual([]);
    expect(found).toBe('docker-machine version 0.16.2, build bd45ab13');
    expect(env.PATH).toBe(`/usr/bin:/bin:/usr/sbin:/sbin:${brew}`);
  });

  it('adds /opt/homebrew/bin and /usr/local/bin after what is there, once, on macOS only', () => {
    const finder = '/usr/bin:/bin:/usr/sbin:/sbin';
    expect(withHomebrewPath(finder, 'darwin')).toBe(`${finder}:/opt/homebrew/bin:/usr/local/bin`);
    expect(withHomebrewPath(`/usr/local/bin:${finder}`, 'darwin')).toBe(
      `/usr/local/bin:${finder}:/opt/homebrew/bin`,
    );
    const once = withHomebrewPath(finder, 'darwin');
    expect(withHomebrewPath(once, 'darwin')).toBe(once);
    expect(withHomebrewPath(undefined, 'darwin')).toBe('/opt/homebrew/bin:/usr/local/bin');
    expect(withHomebrewPath(finder, 'linux')).toBe(finder);
  });
});
