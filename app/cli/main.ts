#!/usr/bin/env node
// Entry point of the `drpc` command.
import { runCli } from './run.js';

// Ctrl-C, or SIGTERM (how the background keeper is told to stop): a following command ends cleanly.
const interrupted = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});
const code = await runCli(process.argv.slice(2), {
  out: (t) => process.stdout.write(t + '\n'),
  err: (t) => process.stderr.write(t + '\n'),
  env: process.env,
  interrupted,
});
process.exit(code);
