// Runs one prune in a process of its own, so a test can let it die at a chosen step (SIGKILL).
// argv[2]: JSON { dockerHost, settings, items, crashAfter, collector? }
import Docker from 'dockerode';
import { executePrune } from '../app/cache/prune/execute.js';
import { planPrune } from '../app/cache/prune/plan.js';
import { scanStore } from '../app/cache/scan/scanner.js';
import { Mirror } from '../app/mirror/mirror.js';
import { mirrorDirs } from '../app/mirror/settings.js';

const args = JSON.parse(process.argv[2]!);
const docker = new Docker({ socketPath: args.dockerHost.replace('unix://', '') });
const mirror = new Mirror({ docker, settings: args.settings });
const store = mirrorDirs(args.settings).data;
const plan = await planPrune(await scanStore(store), store, args.items);
const result = await executePrune(docker, mirror, plan, {
  crashAfter: args.crashAfter,
  ...(args.collector === 'gc' ? { collector: 'gc' as const } : {}),
  // Each step on its own line of stderr, so a test can time a kill inside the prune.
  onProgress: (p) => process.stderr.write(`step ${p.step}\n`),
});
process.stdout.write(JSON.stringify(result));
