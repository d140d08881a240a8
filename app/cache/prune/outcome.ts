// How a prune's collection went, in the user's words: one sentence the CLI prints and the Prune view
// shows, so the two never tell it differently.
import { formatDuration } from '../../util/format.js';
import type { PruneResult } from './execute.js';

const blobs = (n: number) => `${n} ${n === 1 ? 'blob' : 'blobs'}`;

export function collectionOutcome(r: Pick<PruneResult, 'collector' | 'downtimeMs' | 'gc' | 'mode'>): string {
  const deleted = blobs(r.gc.eligibleBlobs);
  if (r.collector.kind === 'sweep') {
    return r.mode
      ? `The mirror kept serving throughout; ${deleted} deleted.`
      : `${deleted[0]!.toUpperCase()}${deleted.slice(1)} deleted; the mirror stays stopped, as it was.`;
  }
  const why = r.collector.reason ? ` (${r.collector.reason})` : '';
  return r.mode
    ? `The mirror stopped for ${formatDuration(r.downtimeMs)} while the registry's garbage collection deleted ${deleted}${why}.`
    : `The registry's garbage collection deleted ${deleted}${why}; the mirror stays stopped, as it was.`;
}
