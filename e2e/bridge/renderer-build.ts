// Builds the renderer exactly as `npm run build:renderer` does (the production bundle, also inside
// vitest, whose NODE_ENV=test would otherwise give React's development build), into a caller's directory.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function buildRenderer(outDir: string): Promise<void> {
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: join(ROOT, 'vite.renderer.config.ts'),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir, sourcemap: false },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}
