// The mirror's state as the header shows it (words, colour, whether the switch is on), the one-line
// health summary, the problem — if any — the UI should explain with what to do about it, and what the
// app did by itself to keep the mirror serving (a mode switch, a recovery) as a notice.
import type { CallError } from '../../app/contract/envelope.js';
import type { KeeperEvent, Operation, UpstreamState } from '../../app/contract/values.js';
import type { MirrorState, MirrorStatus } from '../../app/mirror/status.js';
import { formatBytes, formatDuration, formatTime, plural } from './format.js';

export type Tone = 'ok' | 'busy' | 'warn' | 'error' | 'idle';

export interface StateView {
  label: string;
  tone: Tone;
  /** the switch shows on */
  on: boolean;
  /** the switch can be used now */
  canToggle: boolean;
}

const STATES: Record<MirrorState, { label: string; tone: Tone; on: boolean }> = {
  running: { label: 'Running', tone: 'ok', on: true },
  starting: { label: 'Starting…', tone: 'busy', on: true },
  unhealthy: { label: 'Not responding', tone: 'warn', on: true },
  'crash-looping': { label: 'Keeps restarting', tone: 'error', on: true },
  stopped: { label: 'Stopped', tone: 'idle', on: false },
  'not-created': { label: 'Not set up', tone: 'idle', on: false },
  'port-in-use': { label: 'Port in use', tone: 'error', on: false },
  'image-missing': { label: 'Image not available', tone: 'error', on: false },
  'engine-unreachable': { label: 'Docker not running', tone: 'error', on: false },
};

const OPERATIONS: Record<NonNullable<Operation>, string> = {
  up: 'Starting…',
  down: 'Stopping…',
  restart: 'Restarting…',
  verify: 'Verifying…',
  prune: 'Pruning…',
  reset: 'Resetting…',
};

export function stateView(status: MirrorStatus | undefined, operation: Operation): StateView {
  if (operation) {
    const on =
      operation === 'down'
        ? false
        : operation === 'up'
          ? true
          : ((status && STATES[status.state].on) ?? false);
    return { label: OPERATIONS[operation], tone: 'busy', on, canToggle: false };
  }
  if (!status) return { label: 'Checking…', tone: 'busy', on: false, canToggle: false };
  const s = STATES[status.state];
  return { ...s, canToggle: status.state !== 'engine-unreachable' };
}

export interface HealthPart {
  key: 'docker' | 'upstream' | 'cache';
  text: string;
  tone: Tone;
}

/** "Docker 27.3 · Docker Hub reachable · 1.2 GB cached": one line, neutral words with a small dot each. */
export function healthSummary(
  status: MirrorStatus | undefined,
  upstream: UpstreamState | undefined,
  cacheBytes: number | undefined,
): HealthPart[] {
  const parts: HealthPart[] = [];
  // Docker away is the state's to say ("Docker not running"), not this line's as well.
  if (status?.engine.reachable) {
    parts.push({ key: 'docker', text: `Docker ${shortVersion(status.engine.version)}`.trim(), tone: 'ok' });
  }
  // Unreachable is said once, by the offline indicator (offlineLine), not here as well.
  if (upstream?.reachable) {
    parts.push({ key: 'upstream', text: `${upstreamName(upstream.url)} reachable`, tone: 'ok' });
  }
  if (cacheBytes !== undefined) {
    parts.push({ key: 'cache', text: `${formatBytes(cacheBytes)} cached`, tone: 'idle' });
  }
  return parts;
}

/**
 * The one offline indicator: "Docker Hub unreachable: serving 5 cached images", whether the keeper has
 * switched the mirror to offline mode or the probe alone found the upstream gone (either way only what
 * is cached can be pulled). The reason, in words, goes in `why`; never a raw socket error.
 */
export function offlineLine(
  status: MirrorStatus | undefined,
  upstream: UpstreamState | undefined,
  cachedImages: number | undefined,
): { text: string; why: string } | undefined {
  const offlineMode = status?.mode === 'offline' && status.container?.running;
  if (!offlineMode && (!upstream || upstream.reachable)) return undefined;
  const name = upstream ? upstreamName(upstream.url) : 'The upstream';
  const n = cachedImages ?? status?.cachedRepositories;
  const what =
    n === undefined
      ? 'serving the cache'
      : cachedImages !== undefined
        ? `serving ${plural(n, 'cached image')}`
        : `serving ${plural(n, 'cached repository', 'cached repositories')}`;
  return {
    text: `${name} unreachable: ${what}`,
    why: `Images pulled before keep working; new ones pull once ${name === 'The upstream' ? 'it' : name} is back${
      upstream?.reason ? ` (${reasonInWords(upstream.reason)})` : ''
    }.`,
  };
}

/** A network error in words a person knows ("connect ECONNREFUSED 1.2.3.4:443" -> "it refused the connection"). */
export function reasonInWords(reason: string): string {
  const words: Array<[RegExp, string]> = [
    [/ECONNREFUSED/, 'it refused the connection'],
    [/ENOTFOUND|EAI_AGAIN/, 'its name could not be looked up: no network or no DNS'],
    [/ETIMEDOUT|timed? ?out|abort/i, 'it did not answer in time'],
    [/ECONNRESET|EPIPE/, 'the connection was cut'],
    [/ENETUNREACH|EHOSTUNREACH/, 'no network route to it'],
    [/certificate|TLS|SSL/i, 'its certificate was not accepted'],
  ];
  for (const [re, text] of words) if (re.test(reason)) return text;
  return /\bE[A-Z]{3,}\b/.test(reason) ? 'it did not answer' : reason;
}

/**
 * The address the mirror serves now: the settings' address until they change, then the container's
 * own port until "Apply" recreates it. `pending` is the saved address not yet in effect.
 */
export function liveAddress(status: MirrorStatus | undefined): { live?: string; pending?: string } {
  if (!status) return {};
  const c = status.container;
  if (!c || c.configCurrent || !c.hostPort) return { live: status.mirrorUrl };
  const live = withPort(status.mirrorUrl, c.hostPort);
  return live === status.mirrorUrl ? { live } : { live, pending: status.mirrorUrl };
}

/** Saved settings the running container does not have yet ("changed, not applied"). */
export function changedNotApplied(status: MirrorStatus | undefined): boolean {
  return !!status?.container && !status.container.configCurrent;
}

function withPort(url: string, port: number): string {
  try {
    const u = new URL(url);
    u.port = String(port);
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/** "20.10.24+dfsg1" -> "20.10.24": the release, without the packager's suffix. */
export function shortVersion(version: string | undefined): string {
  return /^\d+(?:\.\d+)*/.exec(version ?? '')?.[0] ?? '';
}

/** "Docker Hub" for Docker Hub, the host name for any other upstream. */
export function upstreamName(url: string): string {
  try {
    const host = new URL(url).hostname;
    return host === 'registry-1.docker.io' || host === 'index.docker.io' ? 'Docker Hub' : host;
  } catch {
    return 'Upstream';
  }
}

export interface Problem {
  kind: 'docker' | 'image' | 'port' | 'crash' | 'unhealthy' | 'disk-full';
  tone: Tone;
  title: string;
  body: string;
  /** what the button next to it does */
  action?: { label: string; run: 'recheck' | 'use-port' | 'settings' | 'start' | 'logs' | 'prune' };
  /** for use-port: the free port the core suggested */
  port?: number;
  /** the core's own words, behind "Details" */
  details?: string;
}

/**
 * What is wrong now, from the status alone, in words a person can act on. It disappears when the status
 * says the condition is gone; what an action the user took returned is shown where they acted
 * (explainError), not here. No "Open Settings" while in Settings.
 */
export function problemOf(
  status: MirrorStatus | undefined,
  opts: { diskFull?: boolean; view?: string } = {},
): Problem | undefined {
  const inSettings = opts.view === 'settings';
  if (status?.state === 'engine-unreachable') {
    return {
      kind: 'docker',
      tone: 'error',
      title: 'Docker is not running',
      body: 'Start Docker Desktop (or your Docker engine). The mirror comes back on its own when Docker does; what is cached stays on disk.',
      action: { label: 'Check Again', run: 'recheck' },
      details: status.message,
    };
  }
  if (status?.state === 'port-in-use') {
    const p = portProblem(status.port?.port, status.port?.heldBy, status.port?.suggestion);
    return {
      kind: 'port',
      tone: 'error',
      title: p.title,
      body: p.fix,
      ...(p.port
        ? { action: { label: `Use Port ${p.port}`, run: 'use-port' as const }, port: p.port }
        : inSettings
          ? {}
          : { action: { label: 'Open Settings', run: 'settings' as const } }),
      details: status.message,
    };
  }
  if (status?.state === 'image-missing') {
    return {
      kind: 'image',
      tone: 'warn',
      title: 'The registry image is not on this engine yet',
      body: 'Starting the mirror pulls it (this needs the network once).',
      action: { label: 'Start the Mirror', run: 'start' },
      details: status.message,
    };
  }
  if (status?.state === 'crash-looping') {
    return {
      kind: 'crash',
      tone: 'error',
      title: 'The mirror keeps restarting',
      body: 'Its log usually says why (a data directory Docker cannot write, a bad setting).',
      action: { label: 'Show Log', run: 'logs' },
      details: status.message,
    };
  }
  if (status?.state === 'unhealthy') {
    return {
      kind: 'unhealthy',
      tone: 'warn',
      title: 'The mirror does not respond',
      body: 'Its container runs but does not answer. Its log usually says why; restarting it often helps.',
      action: { label: 'Show Log', run: 'logs' },
    };
  }
  if (opts.diskFull) {
    // Measured (docs/reliability.md): 2.8 streams a miss it cannot store to the client; 3.x fails it.
    const body =
      status?.container?.registry === 2
        ? 'The mirror could not store what it fetched and has cached nothing since: new images still pull, but straight from upstream. Prune the cache or free space on its volume.'
        : 'The mirror could not store what it fetched: images it has not cached fail to pull until there is space (cached ones still pull). Prune the cache or free space on its volume.';
    return {
      kind: 'disk-full',
      tone: 'error',
      title: 'The disk is full',
      body,
      action: { label: 'Free Up Space…', run: 'prune' },
    };
  }
  return undefined;
}

/** "Port 5000 is in use by ControlCenter; port 5001 is free", as the CLI says it, and what to do. */
function portProblem(
  port: number | undefined,
  heldBy: string | undefined,
  suggestion: number | undefined,
): { title: string; fix: string; port?: number } {
  const airplay = port === 5000 && (heldBy === undefined || /control|airplay/i.test(heldBy));
  const title = `Port ${port ?? ''} is in use${heldBy ? ` by ${heldBy}` : ''}${
    suggestion ? `; port ${suggestion} is free` : ''
  }`.replace('Port  ', 'The port ');
  const other = suggestion ? `use port ${suggestion}` : 'choose another port';
  const fix = airplay
    ? `On macOS, port 5000 is usually the AirPlay Receiver: turn it off in System Settings › General › AirDrop & Handoff, or ${other}.`
    : `Stop ${heldBy ?? 'what uses it'}, or ${other}.`;
  return { title, fix: capitalize(fix), ...(suggestion ? { port: suggestion } : {}) };
}

/** What an action's failure means, for the place the user acted: words, the fix, and the raw text. */
export interface Explained {
  title: string;
  fix?: string;
  /** the core's message as it came, behind "Details" */
  details: string;
  /** for a port in use: the free port the core found */
  port?: number;
}

export function explainError(e: CallError): Explained {
  const details = e.message;
  switch (e.code) {
    case 'PORT_IN_USE': {
      const p = portProblem(
        numberOf(e.details?.port),
        stringOf(e.details?.heldBy),
        numberOf(e.details?.suggestion),
      );
      return { title: p.title, fix: p.fix, details, ...(p.port ? { port: p.port } : {}) };
    }
    case 'IMAGE_UNAVAILABLE': {
      const image = stringOf(e.details?.image);
      return {
        title: `The registry image ${image ?? ''} could not be pulled`.replace('image  ', 'image '),
        fix: 'Check its name in Settings, connect to the network once, or load it with docker load. The mirror keeps its old image until then.',
        details,
      };
    }
    case 'ENGINE_UNREACHABLE':
      return { title: 'Docker is not running', fix: 'Start Docker, then try again.', details };
    case 'BUSY':
      return {
        title: 'The mirror is busy with something else',
        fix: 'Try again when it is done.',
        details,
      };
    case 'DATA_DIR_UNWRITABLE':
      return {
        title: 'Docker cannot write to the data directory',
        fix: 'Choose a directory Docker can mount (in Docker Desktop: Settings › Resources › File sharing).',
        details,
      };
    default: {
      // The first clause of the core's sentence; the rest (often a raw error) stays behind Details.
      const first = e.message.split(/(?<=[^\d])[:.]\s/)[0] ?? e.message;
      return { title: capitalize(first.length > 140 ? `${first.slice(0, 137)}…` : first), details };
    }
  }
}

/** A `mirror.keeper` event the UI tells about as a notice: a recovery (a mode switch shows in the header). */
export type KeeperNotice = Extract<KeeperEvent, { kind: 'recovered' }>;

export function isKeeperNotice(e: KeeperEvent): e is KeeperNotice {
  // A failure is retried by itself, and what it leaves wrong shows as the status's problem; a mode
  // switch is the header's offline indicator, said once.
  return e.kind === 'recovered';
}

/**
 * What the app did by itself, in words: "The mirror was brought back at 14:07", with what had happened
 * and how long it took, said the way every duration is ("1.5 s").
 */
export function keeperNoticeView(
  e: KeeperNotice,
  opts: { locale?: string; timeZone?: string } = {},
): { title: string; body: string; tone: Tone } {
  const at = Date.parse(e.at);
  const when = Number.isNaN(at) ? '' : ` at ${formatTime(at, opts)}`;
  const what =
    e.from === 'not-created'
      ? 'Its container had been removed outside the app'
      : 'It had been stopped outside the app';
  const done = e.action === 'recreated' ? 'created again' : 'started again';
  return {
    title: `The mirror was brought back${when}`,
    body: `${what}; it was ${done} in ${formatDuration(e.ms)}. The cache on disk was kept.`,
    tone: 'idle',
  };
}

function numberOf(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}
function stringOf(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
export function capitalize(text: string): string {
  return text ? text[0]!.toUpperCase() + text.slice(1) : text;
}
