// Test helper: a MirrorStatus in a given state.
import type { MirrorState, MirrorStatus } from '../../app/mirror/status.js';

export function statusIn(state: MirrorState, extra: Partial<MirrorStatus> = {}): MirrorStatus {
  return {
    state,
    message: `the mirror is ${state}`,
    mirrorUrl: 'http://localhost:5000',
    engine: { endpoint: 'unix:///var/run/docker.sock', reachable: state !== 'engine-unreachable' },
    checkedAt: '2025-01-01T00:00:00.000Z',
    ...extra,
  };
}
