// The mirror's status as one typed value shared by the CLI, the tray and the UI.
import type Docker from 'dockerode';

export type MirrorState =
  | 'engine-unreachable'
  | 'image-missing'
  | 'not-created'
  | 'port-in-use'
  | 'stopped'
  | 'starting'
  | 'running'
  | 'unhealthy'
  | 'crash-looping';

export interface MirrorStatus {
  state: MirrorState;
  /** one sentence for people: what is going on and what to do */
  message: string;
  /** the address Docker should use, e.g. http://localhost:5000 */
  mirrorUrl: string;
  engine: { endpoint: string; reachable: boolean; version?: string; os?: string };
  container?: {
    id: string;
    name: string;
    image: string;
    running: boolean;
    restartCount: number;
    exitCode: number;
    startedAt: string;
    /** false when settings changed since it was created: `up` recreates it */
    configCurrent: boolean;
    /** the Distribution major version it runs (they differ where the UI words a full disk) */
    registry?: 2 | 3;
    /** host port of the loopback-only metrics endpoint */
    debugPort?: number;
    /** the host port it publishes: where it serves now (the settings' port only once applied) */
    hostPort?: number;
  };
  port?: { port: number; heldBy?: string; hint?: string; suggestion?: number };
  /**
   * How the container serves, when a keeper watches it (the app, `drpc watch`): through the upstream
   * (proxy), or from the cache alone while the upstream is unreachable (offline).
   */
  mode?: 'proxy' | 'offline';
  /** offline: how many repositories it serves from the cache */
  cachedRepositories?: number;
  checkedAt: string;
}

/** How long a freshly started registry may take before a failing health check counts as unhealthy. */
export const STARTUP_GRACE_MS = 15_000;

export function debugPortOf(info: Docker.ContainerInspectInfo): number | undefined {
  const p = info.NetworkSettings?.Ports?.['5001/tcp']?.[0]?.HostPort;
  return p ? Number(p) : undefined;
}

/** Classifies a container from its inspect data and one health probe. Pure, so every branch is tested. */
export function classifyContainer(
  info: Pick<Docker.ContainerInspectInfo, 'State' | 'RestartCount'>,
  healthy: boolean,
  now: number,
  previousRestartCount?: number,
): { state: MirrorState; message: string } {
  const st = info.State;
  const restarts = info.RestartCount ?? 0;
  const rising = previousRestartCount !== undefined && restarts > previousRestartCount;
  if (st.Restarting || (rising && !healthy)) {
    return {
      state: 'crash-looping',
      message: `the mirror keeps restarting (${restarts} restarts, last exit code ${st.ExitCode}): see its logs`,
    };
  }
  if (!st.Running) {
    return {
      state: 'stopped',
      message: `the mirror is stopped (exit code ${st.ExitCode}): start it with up`,
    };
  }
  if (healthy) return { state: 'running', message: 'the mirror is running' };
  const upFor = now - Date.parse(st.StartedAt);
  if (Number.isFinite(upFor) && upFor < STARTUP_GRACE_MS)
    return { state: 'starting', message: 'the mirror is starting' };
  return {
    state: 'unhealthy',
    message: 'the mirror container runs but does not answer on /v2/: see its logs',
  };
}
