// Opening the mirror, the one way every front end does it (the app's start, `drpc up`, `drpc watch` and
// the background keeper through MirrorService, a CLI command that needs the mirror serving):
//   1. probe the upstream (unless the user chose offline): it decides the mode;
//   2. finish or roll back a prune that was interrupted, restarting in that mode (recover.ts);
//   3. repair the scheduler state (a truncated one makes 2.8 panic at start) and, going offline, the
//      layer links the proxy never wrote (offline, an unlinked layer is not served);
//   4. start in that mode and say which.
// Also: a Mirror whose up() starts the mode the owner keeps, so a prune or reset while offline comes
// back offline, and the status of the container in the mode it runs (offline is not "settings changed").
import { readFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import { recoverPrune, type RecoveryResult } from '../cache/prune/recover.js';
import { repairLinks } from '../cache/repair/links.js';
import { repairSchedulerState } from '../cache/repair/scheduler-state.js';
import { prepareDirs } from './files.js';
import { readCatalog } from './http.js';
import type { PullProgress } from './image.js';
import { chosenOfflineMessage, offlineMessage } from './keeper.js';
import { Mirror, modeOf as containerModeOf, type MirrorOptions, type UpAction } from './mirror.js';
import type { MirrorMode } from './registry-config.js';
import { mirrorDirs, type MirrorSettings, type UpstreamCredentials } from './settings.js';
import type { MirrorStatus } from './status.js';
import { probeUpstream, type ProbeResult } from './upstream-probe.js';

export interface OpenOptions {
  docker: Docker;
  /** the mirror of each mode (same container, settings and credentials; another configuration) */
  mirrorFor: (mode: MirrorMode) => Mirror;
  /** one bounded probe of the upstream from this machine */
  probe: () => Promise<ProbeResult>;
  /** the user chose the mode (`up --offline`): no probe */
  mode?: MirrorMode;
  onProgress?: (p: PullProgress) => void;
}

export interface OpenResult {
  mode: MirrorMode;
  action: UpAction;
  status: MirrorStatus;
  /** the probe that chose the mode (absent when the user chose it) */
  probe?: ProbeResult;
  recovery: RecoveryResult;
  /** layer and manifest links written before going offline */
  linksRepaired: number;
  /** for people: which mode, and why (and on a second line, which image when not the settings' one) */
  message: string;
}

export async function openMirror(o: OpenOptions): Promise<OpenResult> {
  const probe = o.mode ? undefined : await o.probe().catch((err: unknown) => failedProbe(err));
  const mode: MirrorMode = o.mode ?? (probe!.reachable ? 'proxy' : 'offline');
  const mirror = o.mirrorFor(mode);
  let linksRepaired = 0;
  let recovery: RecoveryResult = { action: 'none' };
  // A docker-machine VM keeps the storage on its own disk: nothing here can read or repair it.
  if (!mirror.remoteStorage) {
    // A data directory that cannot be made is refused as up would refuse it, before anything reads it.
    await prepareDirs(mirror.settings);
    recovery = await recoverPrune(o.docker, mirror);
    const data = mirrorDirs(mirror.settings).data;
    await repairSchedulerState(data).catch(() => undefined);
    if (mode === 'offline') {
      const repairs = await repairLinks(data).catch(() => []);
      linksRepaired = repairs.filter((r) => r.action === 'linked').length;
    }
  }
  const { action, status, note } = await mirror.up(o.onProgress);
  let message = `online: pulling through from ${mirror.settings.upstreamUrl}`;
  let withMode: MirrorStatus = { ...status, mode };
  if (mode === 'offline') {
    const n =
      status.state === 'running'
        ? await readCatalog(mirror.baseUrl).then(
            (r) => r.length,
            () => undefined,
          )
        : undefined;
    message = probe ? offlineMessage(n, probe.reason) : chosenOfflineMessage(n);
    withMode = {
      ...withMode,
      ...(n !== undefined ? { cachedRepositories: n } : {}),
      ...(status.state === 'running' ? { message } : {}),
    };
  }
  return {
    mode,
    action,
    status: withMode,
    ...(probe ? { probe } : {}),
    recovery,
    linksRepaired,
    // The default image's fallback (registry:2 while registry:3 cannot be pulled) is said with the mode.
    message: note ? `${message}\n${note}` : message,
  };
}

function failedProbe(err: unknown): ProbeResult {
  return { reachable: false, reason: err instanceof Error ? err.message : String(err), ms: 0 };
}

/** The mode a container runs, from its label (someone may have run `up --offline`). */
export function modeOf(
  info: Pick<Docker.ContainerInspectInfo, 'Config'> | undefined,
): MirrorMode | undefined {
  return info ? containerModeOf(info) : undefined;
}

/**
 * The status of the container judged against the mode it runs: an offline mirror's configuration is
 * the offline one, so "settings changed" means the settings did. Offline and serving, it says so.
 */
export async function statusInMode(mirrorFor: (mode: MirrorMode) => Mirror): Promise<MirrorStatus> {
  // The engine unreachable: the status says so (inspect would only throw).
  const mode = modeOf(
    await mirrorFor('proxy')
      .inspect()
      .catch(() => undefined),
  );
  const status = await mirrorFor(mode ?? 'proxy').status();
  if (!mode || !status.container) return status;
  if (mode === 'proxy' || status.state !== 'running') return { ...status, mode };
  const n = await readCatalog(mirrorFor('offline').baseUrl).then(
    (r) => r.length,
    () => undefined,
  );
  return {
    ...status,
    mode,
    ...(n !== undefined ? { cachedRepositories: n } : {}),
    message: `offline: serving ${n === undefined ? 'the cache' : `${n} cached repositor${n === 1 ? 'y' : 'ies'}`} without the upstream`,
  };
}

/**
 * A Mirror whose up() starts the container in the mode the owner keeps it in (what a prune, a reset or
 * a prune's recovery restarts): a prune while offline comes back offline, not in a proxy mode that
 * cannot start without its upstream. Everything else (stop, remove, inspect) does not depend on the mode.
 */
export class KeptMirror extends Mirror {
  constructor(
    opts: MirrorOptions,
    private readonly keptMode: () => MirrorMode,
    private readonly mirrorFor: (mode: MirrorMode) => Mirror,
  ) {
    super(opts);
  }

  override up(onProgress?: (p: PullProgress) => void): ReturnType<Mirror['up']> {
    return this.mirrorFor(this.keptMode()).up(onProgress);
  }

  /** An explicit mode (a prune restarting in the mode the container ran) is that mode's mirror. */
  override inMode(mode: MirrorMode): Mirror {
    return this.mirrorFor(mode);
  }
}

const UNRESOLVED = new Set(['ENOTFOUND', 'EAI_AGAIN']);

/**
 * Probes the upstream as this machine reaches it: `explicitUrl` when given (--probe-url, DRPC_PROBE_URL),
 * else the upstream's URL. An upstream that is a container on the mirror's Docker network has a name
 * only that network resolves: then it is probed through its published port (or its address there), and
 * a stopped one is unreachable.
 */
export function upstreamProbe(
  docker: Docker,
  settings: Pick<MirrorSettings, 'upstreamUrl' | 'network' | 'upstreamCaFile'>,
  explicitUrl?: string,
  timeoutMs = 3000,
  credentials?: UpstreamCredentials | null,
): () => Promise<ProbeResult> {
  // The upstream's CA, trusted by the probe as by the mirror (unreadable: up says why, not the probe).
  const ca = async () =>
    settings.upstreamCaFile ? readFile(settings.upstreamCaFile, 'utf8').catch(() => undefined) : undefined;
  if (explicitUrl) return async () => probeUpstream(explicitUrl, timeoutMs, await ca(), credentials);
  return async () => {
    const caText = await ca();
    const direct = await probeUpstream(settings.upstreamUrl, timeoutMs, caText, credentials);
    if (direct.reachable || !settings.network || !UNRESOLVED.has(direct.reason ?? '')) return direct;
    const url = new URL(settings.upstreamUrl);
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    const info = await containerNamed(docker, url.hostname, settings.network);
    if (!info) return direct;
    if (!info.State.Running)
      return { reachable: false, reason: `container ${url.hostname} is stopped`, ms: direct.ms };
    const published = info.NetworkSettings.Ports?.[`${port}/tcp`]?.[0]?.HostPort;
    const ip = info.NetworkSettings.Networks?.[settings.network]?.IPAddress;
    const via = published ? `127.0.0.1:${published}` : ip ? `${ip}:${port}` : undefined;
    return via ? probeUpstream(`${url.protocol}//${via}`, timeoutMs, caText, credentials) : direct;
  };
}

/** The container a name on the network means: one named so, else one with that alias on the network. */
async function containerNamed(
  docker: Docker,
  name: string,
  network: string,
): Promise<Docker.ContainerInspectInfo | undefined> {
  const byName = await docker
    .getContainer(name)
    .inspect()
    .catch(() => undefined);
  if (byName) return byName;
  const onNetwork = await docker
    .listContainers({ all: true, filters: { network: [network] } })
    .catch(() => [] as Docker.ContainerInfo[]);
  // Several may share an alias (replicas: Docker's DNS answers with the running ones): a running one.
  let stopped: Docker.ContainerInspectInfo | undefined;
  for (const c of onNetwork) {
    const info = await docker
      .getContainer(c.Id)
      .inspect()
      .catch(() => undefined);
    if (!info?.NetworkSettings.Networks?.[network]?.Aliases?.includes(name)) continue;
    if (info.State.Running) return info;
    stopped ??= info;
  }
  return stopped;
}
