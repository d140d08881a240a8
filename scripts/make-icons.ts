// Writes the tray's template icons to assets/ and the app icon to build/icon.png.
// Run: npx tsx scripts/make-icons.ts (the files are committed; a test checks they match this output).
import { mkdirSync, writeFileSync } from 'node:fs';
import { appIcon, trayIconFiles } from '../app/shell/icons.js';
import { encodePng } from '../app/shell/png.js';

const root = new URL('../', import.meta.url);
mkdirSync(new URL('assets/', root), { recursive: true });
mkdirSync(new URL('build/', root), { recursive: true });
for (const { file, image } of trayIconFiles()) {
  writeFileSync(new URL(`assets/${file}`, root), encodePng(image()));
  console.log(`assets/${file}`);
}
writeFileSync(new URL('build/icon.png', root), encodePng(appIcon()));
console.log('build/icon.png');
