// Finishes or rolls back a prune that was interrupted (crash, force quit, power cut), at the next start.
// Before the selection was fully removed: roll back (move it all back). After: finish (collect again;
// garbage collection is an idempotent mark and sweep). The mirror ends as it was before the prune.
import type Docker from 'dockerode';
import { ensureReserve } from '../../mirror/files.js';
import type { Mirror } from '../../mirror/mirror.js';
import { PruneContext, collect } from './execute.js';
import { leftoverGcContainers } from './gc.js';
import { clearJournal, readJournal, type PruneStep } from './journal.js';

export interface RecoveryResult {
  action: 'none' | 'rolled-back' | 'completed';
  step?: PruneStep;
  planId?: string;
}

export async function recoverPrune(docker: Docker, mirror: Mirror): Promise<RecoveryResult> {
  const ctx = new PruneContext(docker, mirror);
  const j = await readJournal(ctx.home);
  if (!j) return { action: 'none' };
  // A collection still running from the dead process must not race the one we may start.
  for (const id of await leftoverGcContainers(docker, mirror.settings.dataDir)) {
    await docker
      .getContainer(id)
      .remove({ force: true })
      .catch(() => {});
  }
  let action: RecoveryResult['action'];
  if (j.step === 'planned' || j.step === 'stopped' || j.step === 'removing') {
    await mirror.down().catch(() => false);
    await ctx.moveBack(j.plan);
    action = 'rolled-back';
  } else {
    if (j.step === 'removed' || j.step === 'collecting') {
      await mirror.down().catch(() => false);
      // The selection may be half moved if the crash hit between journal writes: finish moving it.
      await ctx.moveAside(j.plan);
      await collect(ctx, j);
    }
    action = 'completed';
  }
  if (j.wasRunning) await mirror.up();
  await clearJournal(ctx.home, j.plan.id);
  await ensureReserve(ctx.home);
  return { action, step: j.step, planId: j.plan.id };
}
