// Where the Electron binary is, or why there is none. Never requires `electron`: its index.js tries
// to download the binary when it is missing, and here downloads are not possible.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type ElectronBinary = { path: string } | { skip: string };

export function findElectronBinary(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  electronDir = dirname(createRequire(import.meta.url).resolve('electron/package.json')),
): ElectronBinary {
  const pathFile = join(electronDir, 'path.txt');
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (!existsSync(pathFile) && !override) {
    return {
      skip:
        'no Electron binary: node_modules/electron/path.txt is missing (Electron 42+ does not download ' +
        'its binary at npm install; run `node node_modules/electron/install.js` where downloads are allowed)',
    };
  }
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron';
  const binary = join(override ?? join(electronDir, 'dist'), executable);
  if (!existsSync(binary)) return { skip: `no Electron binary at ${binary}` };
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { skip: 'no display to open windows on (run under xvfb-run)' };
  }
  return { path: binary };
}
