// The optional quota: when the cache grows past it, the least recently pulled repositories are pruned
// until it fits again (sharing-aware, see retention.ts). Runs from `drpc watch` and the app.
import type { PruneResult } from './prune/execute.js';
import type { PrunePlan } from './prune/plan.js';
import type { CacheService } from './service.js';

export interface QuotaCheck {
  over: boolean;
  plan?: PrunePlan;
  result?: PruneResult;
}

export async function enforceQuota(cache: CacheService, quotaBytes: number | null): Promise<QuotaCheck> {
  if (quotaBytes === null) return { over: false };
  const plan = await cache.plan({ kind: 'quota', quotaBytes });
  if (!plan.repositories.length && !plan.tags.length) return { over: false };
  return { over: true, plan, result: await cache.prune(plan) };
}
