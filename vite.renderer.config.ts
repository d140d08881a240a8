// The renderer: React, built to out/renderer with relative paths (the app loads it from a file). No
// inline scripts (the CSP in renderer/index.html allows only 'self'), no assets from the network.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('./renderer/', import.meta.url));

/**
 * Served by the dev server (DRPC_RENDERER_URL), the page loses its CSP meta tag: React Refresh's
 * inline script and Vite's injected styles need a laxer policy, which main sends as a header for the
 * dev server's origin only (main/security.ts policyFor). Built pages keep the strict tag.
 */
const devServerCsp: Plugin = {
  name: 'drpc:dev-server-csp',
  apply: 'serve',
  transformIndexHtml: (html) => html.replace(/\s*<meta\s+http-equiv="Content-Security-Policy"[^>]*>/i, ''),
};

export default defineConfig({
  root,
  base: './',
  plugins: [react(), devServerCsp],
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
