#!/usr/bin/env node
// The `drpc` command: the compiled CLI when built (npm run build), else the TypeScript source through tsx.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/app/cli/main.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../app/cli/main.ts', import.meta.url).href);
}
