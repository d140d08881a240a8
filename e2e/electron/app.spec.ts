// End-to-end tests of the real app: Electron, the built main process, preload and renderer, driven
// by Playwright's `_electron`. Run with `npm run e2e:electron` (node:test runner). Where no Electron
// binary exists (this Linux container) the suite reports itself skipped, with the reason.
// Docker is pointed at a socket that does not exist, so the app shows "offline" deterministically.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { findElectronBinary } from './electron-binary.js';

const binary = findElectronBinary();
const skip = 'skip' in binary ? binary.skip : false;
if (skip && process.env.DRPC_E2E_REQUIRE === '1')
  throw new Error(`the Electron e2e suite cannot run: ${skip}`);

const mainScript = fileURLToPath(new URL('../../out/main/index.mjs', import.meta.url));

async function until<T>(
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T;
  do {
    last = await probe();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  } while (Date.now() < deadline);
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

// Skipped as one test, so the runner counts it and prints the reason.
if ('skip' in binary) test('the menu-bar app', { skip: binary.skip }, () => {});
else suite(binary.path);

function suite(executablePath: string) {
  describe('the menu-bar app', () => {
    let app: ElectronApplication;
    let popover: Page;

    before(async () => {
      assert.ok(existsSync(mainScript), `${mainScript} is missing: run npm run build:electron`);
      const home = mkdtempSync(join(tmpdir(), 'drpc-e2e-'));
      app = await _electron.launch({
        executablePath,
        args: [mainScript],
        env: {
          ...process.env,
          DRPC_E2E: '1',
          DRPC_HOME: home,
          DOCKER_HOST: 'unix:///nonexistent/docker.sock',
        },
        timeout: 60_000,
      });
      popover = await app.firstWindow();
    });

    after(async () => {
      await app?.close();
    });

    it('shows Docker as offline in the menu bar', async () => {
      const view = await until(
        () => app.evaluate(() => globalThis.__drpcE2E?.trayView()),
        (v) => v?.title === 'Offline',
        'the tray to say Offline',
      );
      assert.equal(view?.icon, 'tray-offlineTemplate');
      assert.match(view?.tooltip ?? '', /Docker is not reachable/);
    });

    it('offers start/stop, verify, configure Docker, open at login and quit in its menu', async () => {
      const items = (await app.evaluate(() => globalThis.__drpcE2E?.menuItems())) ?? [];
      const labels = items.map((i) => i.label);
      for (const label of [
        'Start Mirror',
        'Verify Mirror',
        'Configure Docker…',
        'Open Dashboard…',
        'Open at Login',
      ]) {
        assert.ok(labels.includes(label), `menu has ${label}: ${labels.join(', ')}`);
      }
      assert.ok(labels.some((l) => l?.startsWith('Quit')));
      // Docker is offline: starting is not possible, and the menu says so by disabling it.
      assert.equal(items.find((i) => i.label === 'Start Mirror')?.enabled, false);
      assert.equal(items.find((i) => i.label === 'Open at Login')?.type, 'checkbox');
    });

    it('toggles the popover with clicks on the icon', async () => {
      assert.equal(await app.evaluate(() => globalThis.__drpcE2E?.popoverVisible()), false);
      await app.evaluate(() => globalThis.__drpcE2E?.clickTray());
      await until(
        () => app.evaluate(() => globalThis.__drpcE2E?.popoverVisible()),
        (v) => v === true,
        'the popover',
      );
      await app.evaluate(() => globalThis.__drpcE2E?.clickTray());
      await until(
        () => app.evaluate(() => globalThis.__drpcE2E?.popoverVisible()),
        (v) => v === false,
        'it to hide',
      );
    });

    it('shows the status main reports, through the preload API', async () => {
      // The header carries the state main reported; the switch is off while Docker is away.
      await popover.waitForSelector('header[data-state="engine-unreachable"]', { timeout: 15_000 });
      await popover.waitForSelector('#mirror-state:text("Docker not running")');
      const result = await popover.evaluate(() => window.drpc!.call('settings.get'));
      assert.equal(result.ok, true);
    });

    it('gives the page no Node, no ipcRenderer, only window.drpc', async () => {
      const surface = await popover.evaluate(() => ({
        require: typeof (globalThis as { require?: unknown }).require,
        process: typeof (globalThis as { process?: unknown }).process,
        api: Object.keys(window.drpc!).sort(),
      }));
      assert.deepEqual(surface, {
        require: 'undefined',
        process: 'undefined',
        api: ['call', 'on', 'version'],
      });
    });

    it('refuses a call outside the contract, and invalid input', async () => {
      const results = await popover.evaluate(async () => [
        // @ts-expect-error: not a call of the contract
        await window.drpc!.call('shell.exec', { cmd: 'id' }),
        // @ts-expect-error: the wrong input on purpose
        await window.drpc!.call('settings.update', { mirror: { port: 'x' } }),
      ]);
      assert.deepEqual(
        results.map((r) => (r.ok ? 'ok' : r.error.code)),
        ['INVALID_INPUT', 'INVALID_INPUT'],
      );
    });
  });
}
