// The renderer: React, built to out/renderer with relative paths (the app loads it from a file). No
// inline scripts (the CSP in renderer/index.html allows only 'self'), no assets from the network.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('./renderer/', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('./out/renderer/', import.meta.url)),
    emptyOutDir: true,
    // Everything in files: a data: URL would need a laxer CSP, and modulepreload polyfills are inline.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'chrome130',
    sourcemap: true,
  },
});
