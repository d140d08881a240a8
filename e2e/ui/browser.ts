// Headless Chromium for the UI journeys and the UI benchmark: Debian's /usr/bin/chromium (never a
// downloaded browser), quiet (no background networking, no component updates, no sync, no QUIC) and a
// fresh profile each time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.DRPC_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A browser with a profile of its own (Playwright passes it as --user-data-dir), removed on close. */
export async function launchBrowser(opts: {
  viewport: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
  deviceScaleFactor?: number;
}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'drpc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: opts.viewport,
    colorScheme: opts.colorScheme ?? 'light',
    deviceScaleFactor: opts.deviceScaleFactor ?? 1,
    reducedMotion: 'reduce',
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
