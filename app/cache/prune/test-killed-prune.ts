// Test helper: a prune in a process of its own (testbed/prune-child.ts) that SIGKILLs itself right
// after reaching a step, as a power cut or a force quit would. What it leaves is what recovery meets.
import { execFile } from 'node:child_process';
import type Docker from 'dockerode';
import { testbed } from '../../../testbed/helpers.js';
import type { MirrorSettings } from '../../mirror/settings.js';
import { leftoverGcContainers } from './gc.js';
import type { PruneStep } from './journal.js';
import type { PruneItem } from './plan.js';

/** Runs the prune and resolves with how the process ended ('SIGKILL' expected) and its stderr. */
export async function pruneKilledAt(
  settings: MirrorSettings,
  items: PruneItem[],
  crashAfter: PruneStep,
  /** 'sweep' (while serving, the default), or 'gc': the mirror stopped, the registry's collector */
  collector: 'sweep' | 'gc' = 'sweep',
): Promise<{ end: number | string | null; stderr: string }> {
  const child = execFile(process.execPath, [
    '--import',
    'tsx',
    'testbed/prune-child.ts',
    JSON.stringify({ dockerHost: testbed().dockerHost, settings, items, crashAfter, collector }),
  ]);
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  const end = await new Promise<number | string | null>((r) => child.on('exit', (c, sig) => r(sig ?? c)));
  return { end, stderr };
}

/** Waits until the collections a killed prune left running have ended by themselves. */
export async function leftoverCollectionsEnded(docker: Docker, dataDir: string): Promise<void> {
  for (const id of await leftoverGcContainers(docker, dataDir)) await docker.getContainer(id).wait();
}
