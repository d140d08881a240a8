// The 2.8 registry can truncate scheduler-state.json (written by a timer, never on stop) and then
// panics at every start. A file that is not valid JSON is moved aside: it only holds expiry times,
// which the app does not use (retention is ours), so nothing cached is lost.
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

export interface SchedulerRepair {
  state: 'absent' | 'ok' | 'moved-aside';
  movedTo?: string;
}

export async function repairSchedulerState(storeRoot: string, now = new Date()): Promise<SchedulerRepair> {
  const file = join(storeRoot, 'scheduler-state.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent' };
    throw err;
  }
  try {
    JSON.parse(text);
    return { state: 'ok' };
  } catch {
    const movedTo = `${file}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
    await rename(file, movedTo);
    return { state: 'moved-aside', movedTo };
  }
}
