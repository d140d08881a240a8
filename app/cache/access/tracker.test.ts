// The tracker tells its listeners which repositories the log lines it folded in concerned: what the
// scanner's next refresh is told to read.
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { pullLogLines } from '../../../bench/pull-log.js';
import { memoryStore } from '../../settings/json-file.js';
import { parseLogLine } from './log-entry.js';
import { AccessTracker, type AccessChange } from './tracker.js';

const D = (c: string) => 'sha256:' + c.repeat(64);
const pull = { manifest: D('1'), config: D('2'), layers: [D('3'), D('4')] };

function tracker() {
  const t = new AccessTracker({} as Docker, 'drpc-registry', memoryStore(), { saveDelayMs: 60_000 });
  const changes: AccessChange[] = [];
  t.onChange((c) => changes.push(c));
  return { t, changes };
}

describe('AccessTracker changes', () => {
  it('names the repositories a batch of lines pulled from or stored into', async () => {
    const { t, changes } = tracker();
    const at = Date.now();
    const lines =
      pullLogLines('library/b', 'latest', pull, at) + pullLogLines('a/b/c', 'v1', pull, at + 1000);
    // Per pull: the manifest by tag and by digest, 3 blob downloads, 4 blobs stored.
    expect(t.ingest(lines)).toBe(2 * (2 + 3 + 4));
    expect(changes).toEqual([{ repositories: ['a/b/c', 'library/b'], complete: true }]);
    expect(t.records.repos['library/b']?.tags.latest?.pulls).toBe(1);
    // Nothing folded in (an access log line of another kind): nobody is told.
    expect(t.ingest('10.0.0.1 - - [29/Nov/2026] "GET /v2/ HTTP/1.1" 200\n')).toBe(0);
    expect(changes).toHaveLength(1);
    await t.stop();
  });

  it('reads the repository from 2.8 scheduler entries, and says when a line names none', async () => {
    const line = (msg: string) => JSON.stringify({ level: 'info', msg, time: new Date().toISOString() });
    expect(
      parseLogLine(line(`Adding new scheduler entry for library/busybox@${D('a')} with ttl=167h59m59.9s`)),
    ).toMatchObject({ kind: 'stored', repo: 'library/busybox' });
    expect(parseLogLine(line('Adding new scheduler entry for something else'))).not.toHaveProperty('repo');

    const { t, changes } = tracker();
    t.ingest(
      line(`Adding new scheduler entry for x/y@${D('b')} with ttl=1h`) +
        '\n' +
        line('filesystem: write /var/lib/registry/x: no space left on device'),
    );
    expect(changes).toEqual([{ repositories: ['x/y'], complete: false }]);
    await t.stop();
  });
});
