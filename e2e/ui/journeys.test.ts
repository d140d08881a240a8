// The tray UI as people use it, in headless Chromium, against the real core (through the browser
// bridge) on the test bed's Docker engine: start the mirror from the switch, point the engine at it,
// pull and see the repository, prune with a preview, Docker going away and coming back, reset, undo.
// Screenshots of each main view, light and dark, go to docs/screenshots/ (shown in the README).
import { describeWithEngineControl } from '../../testbed/helpers.js';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { mirrorsOf } from '../../app/configure/engines/engine-info.js';
import { probeUpstream } from '../../app/mirror/upstream-probe.js';
import { formatBytes } from '../../app/util/format.js';
import { engine, readPid, startDockerd, stopDockerd } from '../../testbed/dockerd.js';
import { freeLoopbackPort, startUpstream, stopUpstream, upstreamBase } from '../../testbed/upstream.js';
import { buildRenderer } from '../bridge/renderer-build.js';
import { startBridge, type Bridge } from '../bridge/server.js';
import { axeViolations, describeFindings, type AxeFinding } from './axe.js';
import { launchBrowser, type Browser } from './browser.js';
import { pull, removeImages, testbedDocker, testbedState, uniqueName } from './testbed.js';

const SHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const POPOVER = { width: 380, height: 560 };
const WINDOW = { width: 960, height: 680 };
const IMAGES = ['library/app-one:latest', 'library/app-two:latest', 'library/twotags:v2'];

describeWithEngineControl(
  'the tray UI, on the test bed',
  () => {
    const tb = testbedState();
    const docker = testbedDocker();
    const name = uniqueName('drpc-ui');
    let work: string;
    let port: number;
    let bridge: Bridge;
    let browser: Browser;
    let page: Page;

    /** Every state checked by axe, light and dark, with what it found (serious and critical only). */
    const audited: Array<{ state: string; findings: AxeFinding[] }> = [];
    async function audit(state: string): Promise<void> {
      const findings: AxeFinding[] = [];
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        const found = await axeViolations(page);
        audited.push({ state: `${state} (${scheme})`, findings: found });
        findings.push(...found.map((f) => ({ ...f, id: `${f.id} [${scheme}]` })));
      }
      await page.emulateMedia({ colorScheme: 'light' });
      expect(findings, describeFindings(state, findings)).toEqual([]);
    }

    /** The same view in light and dark: the system's appearance, as macOS switches it; axe checks both. */
    async function shoot(file: string, size = POPOVER): Promise<void> {
      await page.setViewportSize(size);
      // No hover highlight where the last click was.
      await page.mouse.move(size.width - 1, size.height - 1);
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.screenshot({ path: join(SHOTS, `${file}-${scheme}.png`) });
      }
      await audit(file);
      await page.setViewportSize(POPOVER);
    }
    const state = () => page.locator('#mirror-state');
    const tab = (label: string) => page.getByRole('tab', { name: label });
    const row = (repo: string) =>
      page.getByRole('listitem').filter({ has: page.locator(`.row-title[title="${repo}"]`) });
    const linuxEngine = () => page.locator('[data-engine="linux-dockerd"]');

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      work = mkdtempSync(join(tmpdir(), 'drpc-ui-'));
      port = await freeLoopbackPort();
      const rendererDir = join(work, 'renderer');
      await buildRenderer(rendererDir);
      bridge = await startBridge({
        home: join(work, 'home'),
        env: { ...process.env, DOCKER_HOST: tb.dockerHost },
        mirror: {
          port,
          containerName: name,
          upstreamUrl: tb.upstreamUrl,
          network: tb.network,
          dataDir: join(work, 'mirror'),
        },
        // The engine to configure is the test bed's dockerd, reloaded by its pid (read again after a restart).
        detect: () => ({
          platform: 'linux',
          linux: { configFile: tb.daemonJson, pid: readPid(), probe: engine() },
        }),
        // The stand-in Docker Hub answers the mirror on the test network and the host on a published port.
        probeUpstream: async (url) =>
          url === tb.upstreamUrl
            ? upstreamBase(engine()).then(probeUpstream, () => ({
                reachable: false,
                reason: 'it is stopped',
                ms: 0,
              }))
            : probeUpstream(url),
        rendererDir,
        monitorIntervalMs: 1000,
        verifyTimeoutMs: 20_000,
      });
      browser = await launchBrowser({ viewport: POPOVER, deviceScaleFactor: 2 });
      page = await browser.context.newPage();
      await page.goto(bridge.url);
    });

    // Each journey starts from a freshly loaded page (the core's state carries over, as it would).
    beforeEach(async () => {
      await page.goto(`${bridge.url}#repositories`);
      await page.reload();
    });

    afterAll(async () => {
      // The count docs/ui.md reports: states audited (each in light and dark) and what axe found.
      const found = audited.reduce((n, a) => n + a.findings.length, 0);
      console.info(`axe: ${audited.length} view states audited, ${found} serious or critical violations`);
      await browser?.close();
      // What a failed journey left: the engine's configuration, then the container and its files.
      if (bridge) {
        const { engines } = await bridge.engines.list().catch(() => ({ engines: [] }));
        if (engines.some((e) => e.name === 'linux-dockerd' && e.undoRecords > 0))
          await bridge.engines.undo('linux-dockerd');
        await bridge.close();
      }
      await docker
        .getContainer(name)
        .remove({ force: true })
        .catch(() => {});
      await removeImages(docker, IMAGES);
      rmSync(work, { recursive: true, force: true });
    });

    it('starts the mirror from the switch and shows it running, with nothing cached yet', async () => {
      await state().filter({ hasText: 'Not set up' }).waitFor();
      expect(await page.getByRole('switch').getAttribute('aria-checked')).toBe('false');
      await page.getByRole('switch', { name: 'Start the mirror' }).click();
      await state().filter({ hasText: 'Running' }).waitFor({ timeout: 60_000 });
      expect(await page.getByRole('switch', { name: 'Stop the mirror' }).getAttribute('aria-checked')).toBe(
        'true',
      );
      expect(await page.locator('.address').textContent()).toBe(`http://localhost:${port}`);
      expect(await page.locator('.health').textContent()).toMatch(/Docker \d+\.\d+.*0 B cached/);
      await page.getByText('Nothing cached yet').waitFor();
      await shoot('empty');
    });

    it("configures the test bed's dockerd from the Engines view and sees it use the mirror", async () => {
      await tab('Engines').click();
      await linuxEngine()
        .getByRole('button', { name: /^Configure/ })
        .click();
      await page
        .locator('[data-engine="linux-dockerd"][data-state="using-mirror"]')
        .waitFor({ timeout: 40_000 });
      expect(await linuxEngine().getByTestId('engine-state').textContent()).toBe('Using the mirror');
      expect(await linuxEngine().textContent()).toContain(`http://localhost:${port}/`);
      // The engine itself says so, not only the UI.
      expect(await mirrorsOf(docker)).toContain(`http://localhost:${port}/`);
      await shoot('engines');
    });

    it('pulls images through the engine and sees each repository appear with its size', async () => {
      await tab('Repositories').click();
      await removeImages(docker, IMAGES);
      // The engine's registry-mirrors is global: another suite running now may have changed it.
      expect(
        await mirrorsOf(docker),
        'the engine no longer lists our mirror: another test changed it; run again',
      ).toContain(`http://localhost:${port}/`);
      for (const ref of IMAGES) await pull(docker, ref);
      // No reload: the page learns of the pulls from the mirror's log (cache.changed).
      for (const repo of ['library/app-one', 'library/app-two', 'library/twotags'])
        await row(repo).waitFor({ timeout: 30_000 });
      // 2.8 links a pulled layer while or just after streaming it, and a row can appear with only its
      // manifest: wait until the core has every layer, then until the page shows those sizes.
      await expect
        .poll(async () => (await bridge.cache.report()).repositories.map((r) => r.totalBytes > 300 * 1024), {
          timeout: 30_000,
        })
        .toEqual([true, true, true]);
      const report = await bridge.cache.report();
      for (const r of report.repositories) {
        await expect
          .poll(() => row(r.name).textContent(), { timeout: 30_000 })
          .toContain(formatBytes(r.totalBytes));
        expect(await row(r.name).textContent()).toContain(`${formatBytes(r.exclusiveBytes)} reclaimable`);
      }
      // app-one and app-two share a base layer: neither can reclaim all of itself.
      const appOne = report.repositories.find((r) => r.name === 'library/app-one')!;
      expect(appOne.sharedBytes).toBeGreaterThan(0);
      await page.getByRole('button', { name: 'Show the tags of library/app-one' }).click();
      await page
        .getByRole('list', { name: 'Tags of library/app-one' })
        .getByText(/\d+(\.\d)? (KB|MB)/)
        .waitFor();
      await shoot('repositories');
      await shoot('repositories-window', WINDOW);
      await tab('Disk').click();
      await page.getByRole('list', { name: 'Largest repositories' }).waitFor();
      await shoot('disk');
      await shoot('disk-window', WINDOW);
    }, 120_000);

    it('prunes a repository with a preview of the exact bytes, and sees the cache shrink by them', async () => {
      const before = await bridge.cache.report();
      const appOne = before.repositories.find((r) => r.name === 'library/app-one')!;
      await tab('Repositories').click();
      await page.getByRole('checkbox', { name: 'Select library/app-one' }).check();
      await page.getByRole('button', { name: 'Prune Selected…' }).click();
      await page.getByRole('button', { name: 'Preview' }).click();
      // What pruning app-one alone frees is its exclusive bytes (plus anything already unreferenced).
      const expected = formatBytes(appOne.exclusiveBytes + before.totals.orphanBytes);
      expect(await page.getByTestId('preview-bytes').textContent()).toBe(expected);
      expect(await page.getByRole('list', { name: 'What goes' }).textContent()).toContain('library/app-one');
      await shoot('prune-preview');
      await page.getByRole('button', { name: `Prune ${expected}` }).click();
      await page.getByTestId('freed-bytes').waitFor({ timeout: 90_000 });
      expect(await page.getByTestId('freed-bytes').textContent()).toBe(expected);
      expect(await page.getByText(/^Exactly as previewed/).count()).toBe(1);
      expect(await page.getByRole('list', { name: 'What was removed' }).textContent()).toContain(
        'library/app-one',
      );
      await shoot('prune-result');
      const after = await bridge.cache.report();
      expect(after.totals.blobBytes).toBe(
        before.totals.blobBytes - appOne.exclusiveBytes - before.totals.orphanBytes,
      );
      expect(after.repositories.map((r) => r.name)).not.toContain('library/app-one');
      await page
        .locator('.health')
        .filter({ hasText: `${formatBytes(after.totals.blobBytes)} cached` })
        .waitFor();
      await state().filter({ hasText: 'Running' }).waitFor({ timeout: 30_000 });
      await tab('Repositories').click();
      await row('library/app-two').waitFor();
      expect(await row('library/app-one').count()).toBe(0);
    }, 120_000);

    it('validates settings next to the field and warns before exposing the mirror', async () => {
      await tab('Settings').click();
      const portField = page.getByLabel('Port', { exact: true });
      await portField.fill('70000');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      const describedBy = (await portField.getAttribute('aria-describedby'))!.split(' ')[0]!;
      await page
        .locator(`[id="${describedBy}"]`)
        .filter({ hasText: 'Port must be between 1 and 65535.' })
        .waitFor();
      await page.getByLabel('Listen on').selectOption('all');
      await page.getByRole('alert').filter({ hasText: 'Other computers could use this mirror' }).waitFor();
      await page.locator('.view.settings').evaluate((el) => el.scrollTo(0, 0));
      await shoot('settings');
      await page.getByRole('button', { name: 'Revert' }).click();
      expect(await portField.inputValue()).toBe(String(port));
      expect(bridge.settings.current.mirror.bindAddress).toBe('127.0.0.1');
    });

    it('Save with errors: every error at once, focus on the first invalid field', async () => {
      await tab('Settings').click();
      const portField = page.getByLabel('Port', { exact: true });
      await portField.fill('http');
      await page.getByLabel('Quota').fill('lots');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expect.poll(() => portField.evaluate((el) => el === document.activeElement)).toBe(true);
      expect(await page.getByLabel('Quota').getAttribute('aria-invalid')).toBe('true');
      await shoot('settings-errors');
      await page.getByRole('button', { name: 'Revert' }).click();
    });

    /** Saves one mirror setting from the Settings view, as a user types it. */
    async function saveSetting(label: string, value: string): Promise<void> {
      await tab('Settings').click();
      await page.getByLabel(label, { exact: true }).fill(value);
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText(/^Saved/).waitFor();
    }

    it('Apply with the port in use: the header keeps the live address, the error says who holds the port and which is free', async () => {
      const taken = await freeLoopbackPort();
      const holder = createServer();
      await new Promise<void>((resolve) => holder.listen(taken, '127.0.0.1', resolve));
      // Stopped by the user, so nothing applies the new port behind their back before they ask.
      await page.getByRole('switch', { name: 'Stop the mirror' }).click();
      await state().filter({ hasText: 'Stopped' }).waitFor({ timeout: 30_000 });
      try {
        await saveSetting('Port', String(taken));
        // Saved, not applied: the header says so, and the address stays the one the container has.
        await page
          .getByTestId('not-applied')
          .filter({ hasText: `http://localhost:${taken}` })
          .waitFor({ timeout: 30_000 });
        expect(await page.getByLabel('Mirror address', { exact: true }).textContent()).toBe(
          `http://localhost:${port}`,
        );
        await page.getByRole('button', { name: 'Apply to the Mirror' }).click();
        const alert = page
          .locator('.view.settings')
          .getByRole('alert')
          .filter({ hasText: `Port ${taken} is in use` });
        await alert.waitFor({ timeout: 60_000 });
        expect(await alert.textContent()).toMatch(new RegExp(`Port ${taken} is in use.*; port \\d+ is free`));
        await alert.getByText('Details').click();
        await alert.scrollIntoViewIfNeeded();
        await shoot('apply-port-in-use');
        await shoot('apply-port-in-use-window', WINDOW);
      } finally {
        holder.close();
        await saveSetting('Port', String(port));
      }
      await page.getByRole('switch', { name: 'Start the mirror' }).click();
      await state().filter({ hasText: 'Running' }).waitFor({ timeout: 60_000 });
      // Back as it was: nothing pending, and the error gone with its condition.
      await page.getByTestId('not-applied').waitFor({ state: 'detached', timeout: 30_000 });
      expect(await page.getByRole('alert').filter({ hasText: 'is in use' }).count()).toBe(0);
    }, 180_000);

    it('Apply with an image that does not exist: one line and the fix, the registry error behind Details, the mirror still serving', async () => {
      const image = bridge.settings.current.mirror.image;
      try {
        await saveSetting('Image', 'drpc-tb/no-such-registry:9');
        await page.getByRole('button', { name: 'Apply to the Mirror' }).click();
        const alert = page
          .locator('.view.settings')
          .getByRole('alert')
          .filter({ hasText: 'The registry image drpc-tb/no-such-registry:9 could not be pulled' });
        await alert.waitFor({ timeout: 90_000 });
        // The raw text is there, but folded away.
        expect(await alert.locator('details').getAttribute('open')).toBeNull();
        await state().filter({ hasText: 'Running' }).waitFor({ timeout: 30_000 });
        await alert.scrollIntoViewIfNeeded();
        await shoot('apply-image-missing');
      } finally {
        await saveSetting('Image', image);
      }
      await page.getByTestId('not-applied').waitFor({ state: 'detached', timeout: 30_000 });
    }, 150_000);

    it('says Docker Hub is unreachable once, in plain words, and drops it when the upstream is back', async () => {
      await tab('Repositories').click();
      await stopUpstream(engine());
      try {
        const offline = page.getByTestId('offline');
        await offline.waitFor({ timeout: 60_000 });
        // It may say "serving the cache" for a moment, until the offline registry's catalog is read.
        await expect
          .poll(() => offline.textContent())
          .toMatch(/^drpc-tb-upstream unreachable: serving \d+ cached images?$/);
        const text = (await page.locator('body').textContent()) ?? '';
        expect(text.match(/unreachable/g)).toHaveLength(1);
        expect(text).not.toMatch(/ECONNREFUSED|ENOTFOUND|proxy mode/);
        await shoot('upstream-down');
      } finally {
        await startUpstream(engine());
      }
      await page.getByTestId('offline').waitFor({ state: 'detached', timeout: 90_000 });
      await page.locator('.health').filter({ hasText: 'drpc-tb-upstream reachable' }).waitFor();
    }, 180_000);

    it('shows Docker stopped with what to do, and recovers on its own when Docker returns', async () => {
      await tab('Repositories').click();
      await stopDockerd();
      try {
        await state().filter({ hasText: 'Docker not running' }).waitFor({ timeout: 30_000 });
        await page.getByRole('alert').filter({ hasText: 'Docker is not running' }).waitFor();
        expect(await page.getByRole('switch').isDisabled()).toBe(true);
        // What is cached is on disk: it stays listed while Docker is away.
        await row('library/app-two').waitFor();
        await shoot('docker-stopped');
      } finally {
        await startDockerd();
        // The stand-in Docker Hub does not restart with the engine.
        await startUpstream(engine());
      }
      // No reload and no click: the status monitor reconnects to the engine's events by itself.
      await state().filter({ hasText: 'Running' }).waitFor({ timeout: 60_000 });
      await page
        .getByRole('alert')
        .filter({ hasText: 'Docker is not running' })
        .waitFor({ state: 'detached' });
      expect(await page.locator('header').getAttribute('data-state')).toBe('running');
      // Nothing stale once it serves again: no "Docker is not running", no "stopped unexpectedly".
      await expect
        .poll(() => page.locator('body').textContent(), { timeout: 30_000 })
        .not.toMatch(/Docker is not running|stopped unexpectedly|ENOENT|ECONNREFUSED/);
      await shoot('docker-back');
    }, 120_000);

    it('resets the cache only with the typed confirmation', async () => {
      await tab('Prune').click();
      await page.getByRole('button', { name: 'Reset Cache…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Reset the cache?' });
      const confirm = dialog.getByRole('button', { name: 'Reset Cache' });
      await dialog.getByRole('textbox').fill('delete it');
      expect(await confirm.isDisabled()).toBe(true);
      await dialog.getByRole('textbox').fill('delete the cache');
      expect(await confirm.isDisabled()).toBe(false);
      await shoot('reset');
      const before = await bridge.cache.report();
      await confirm.click();
      await dialog.getByTestId('reset-freed').waitFor({ timeout: 90_000 });
      const n = before.totals.repositories;
      expect(n).toBeGreaterThan(0);
      expect(await dialog.textContent()).toContain(
        `Deleted ${n} ${n === 1 ? 'repository' : 'repositories'} (${formatBytes(before.totals.blobBytes)})`,
      );
      await dialog.getByRole('button', { name: 'Done' }).click();
      await state().filter({ hasText: 'Running' }).waitFor({ timeout: 30_000 });
      await tab('Repositories').click();
      await page.getByText('Nothing cached yet').waitFor();
      expect((await bridge.cache.report()).repositories).toEqual([]);
    });

    it("undoes the engine's configuration exactly", async () => {
      await tab('Engines').click();
      await linuxEngine().getByRole('button', { name: /^Undo/ }).click();
      await page
        .locator('[data-engine="linux-dockerd"][data-state="not-configured"]')
        .waitFor({ timeout: 40_000 });
      expect(await mirrorsOf(docker)).not.toContain(`http://localhost:${port}/`);
    });
  },
  'configures, stops and restarts the engine from the UI',
);
