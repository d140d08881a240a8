// The mirror's state as the header shows it (words, colour, whether the switch is on), the one-line
// health summary, the problem — if any — the UI should explain with what to do about it, and what the
// app did by itself to keep the mirror serving (a mode switch, a recovery) as a notice.
import type { CallError } from '../../app/contract/envelope.js';
import type { KeeperEvent, Operation, UpstreamState } from '../../app/contract/values.js';
import type { MirrorState, MirrorStatus } from '../../app/mirror/status.js';
import { formatBytes, formatTime } from './format.js';

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

/** "Docker 27.3 · Docker Hub reachable · 1.2 GB cached": one line, each part with its own colour. */
export function healthSummary(
  status: MirrorStatus | undefined,
  upstream: UpstreamState | undefined,
  cacheBytes: number | undefined,
): HealthPart[] {
  const parts: HealthPart[] = [];
  if (status) {
    parts.push(
      status.engine.reachable
        ? { key: 'docker', text: `Docker ${shortVersion(status.engine.version)}`.trim(), tone: 'ok' }
        : { key: 'docker', text: 'Docker not reachable', tone: 'error' },
    );
  }
  if (upstream) {
    parts.push(
      upstream.reachable
        ? { key: 'upstream', text: `${upstreamName(upstream.url)} reachable`, tone: 'ok' }
        : { key: 'upstream', text: `${upstreamName(upstream.url)} offline`, tone: 'warn' },
    );
  }
  if (cacheBytes !== undefined) {
    parts.push({ key: 'cache', text: `${formatBytes(cacheBytes)} cached`, tone: 'idle' });
  }
  return parts;
}

/**
 * The mirror's mode in one line, while it serves without the upstream: "Offline: serving 3 cached
 * repositories". Nothing in proxy mode (the usual case) or when no container serves.
 */
export function modeLine(status: MirrorStatus | undefined): { text: string; tone: Tone } | undefined {
  if (status?.mode !== 'offline' || !status.container?.running) return undefined;
  const n = status.cachedRepositories;
  const what = n === undefined ? 'the cache' : `${n} cached repositor${n === 1 ? 'y' : 'ies'}`;
  return { text: `Offline: serving ${what}`, tone: 'warn' };
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
  kind: 'docker' | 'image' | 'port' | 'upstream' | 'crash' | 'unhealthy' | 'disk-full' | 'error';
  tone: Tone;
  title: string;
  body: string;
  /** what the button next to it does */
  action?: { label: string; run: 'recheck' | 'use-port' | 'settings' | 'start' | 'logs' | 'prune' };
  /** for use-port: the free port the core suggested */
  port?: number;
}

/**
 * What is wrong, in words a person can act on: from the status, the upstream, and the error of the
 * last thing the user tried (which says more, e.g. the port the core suggests instead).
 */
export function problemOf(
  status: MirrorStatus | undefined,
  upstream: UpstreamState | undefined,
  lastError?: CallError,
  diskFull = false,
): Problem | undefined {
  if (status?.state === 'engine-unreachable' || lastError?.code === 'ENGINE_UNREACHABLE') {
    return {
      kind: 'docker',
      tone: 'error',
      title: 'Docker is not running',
      body: 'Start Docker Desktop (or your Docker engine). The mirror comes back on its own when Docker does; what is cached stays on disk.',
      action: { label: 'Check Again', run: 'recheck' },
    };
  }
  const portError = lastError?.code === 'PORT_IN_USE' ? lastError : undefined;
  if (status?.state === 'port-in-use' || portError) {
    const port = status?.port?.port ?? numberOf(portError?.details?.port);
    const suggestion = status?.port?.suggestion ?? numberOf(portError?.details?.suggestion);
    const heldBy = status?.port?.heldBy ?? stringOf(portError?.details?.heldBy);
    const airplay = port === 5000 && (heldBy === undefined || /control|airplay/i.test(heldBy));
    const body = airplay
      ? 'On macOS, port 5000 is usually the AirPlay Receiver. Turn it off in System Settings › General › AirDrop & Handoff, or let the mirror use another port.'
      : `${heldBy ? `${heldBy} is using it. ` : ''}Stop what uses it, or let the mirror use another port.`;
    return {
      kind: 'port',
      tone: 'error',
      title: `Port ${port ?? ''} is already in use`.replace('  ', ' '),
      body,
      ...(suggestion
        ? { action: { label: `Use Port ${suggestion}`, run: 'use-port' as const }, port: suggestion }
        : { action: { label: 'Open Settings', run: 'settings' as const } }),
    };
  }
  if (status?.state === 'image-missing' || lastError?.code === 'IMAGE_UNAVAILABLE') {
    return {
      kind: 'image',
      tone: 'error',
      title: 'The registry image is not available',
      body: `${lastError?.code === 'IMAGE_UNAVAILABLE' ? lastError.message + '. ' : ''}Check the network connection and try again, or choose another image in Settings.`,
      action: { label: 'Open Settings', run: 'settings' },
    };
  }
  if (status?.state === 'crash-looping') {
    return {
      kind: 'crash',
      tone: 'error',
      title: 'The mirror keeps restarting',
      body: `${capitalize(status.message)}. Its log usually says why (a data directory Docker cannot write, a bad setting).`,
      action: { label: 'Show Log', run: 'logs' },
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
  if (diskFull) {
    return {
      kind: 'disk-full',
      tone: 'error',
      title: 'The disk is full',
      body: 'The mirror could not store what it fetched and has cached nothing since: new images still pull, but straight from upstream. Prune the cache or free space on its volume.',
      action: { label: 'Free Up Space…', run: 'prune' },
    };
  }
  if (lastError && lastError.code !== 'BUSY') {
    return { kind: 'error', tone: 'error', title: 'That did not work', body: capitalize(lastError.message) };
  }
  if (upstream && !upstream.reachable) {
    const name = upstreamName(upstream.url);
    return {
      kind: 'upstream',
      tone: 'warn',
      title: `${name} is offline`,
      body: `Serving from the cache: images pulled before keep working; new ones cannot be pulled until ${name} is back${upstream.reason ? ` (${upstream.reason})` : ''}.`,
    };
  }
  return undefined;
}

/** A `mirror.keeper` event the UI tells about: the mode switches and the recoveries. */
export type KeeperNotice = Extract<KeeperEvent, { kind: 'mode' | 'recovered' }>;

export function isKeeperNotice(e: KeeperEvent): e is KeeperNotice {
  // A failure is retried by itself, and what it leaves wrong shows as the status's problem.
  return e.kind !== 'failed';
}

/**
 * What the app did by itself, in words: "Switched to offline mode at 14:02" with what it serves now,
 * "Back in proxy mode at 14:05", "The mirror was brought back at 14:07" with what had happened.
 */
export function keeperNoticeView(
  e: KeeperNotice,
  upstreamUrl: string | undefined,
  opts: { locale?: string; timeZone?: string } = {},
): { title: string; body: string; tone: Tone } {
  const at = Date.parse(e.at);
  const when = Number.isNaN(at) ? '' : ` at ${formatTime(at, opts)}`;
  const name = upstreamUrl ? upstreamName(upstreamUrl) : 'the upstream';
  if (e.kind === 'recovered') {
    return { title: `The mirror was brought back${when}`, body: sentence(e.message), tone: 'idle' };
  }
  if (e.mode === 'offline') {
    return {
      title: `Switched to offline mode${when}`,
      body: `${sentence(e.message)} It goes back to pulling through once ${name} has answered for a while.`,
      tone: 'warn',
    };
  }
  return {
    title: `Back in proxy mode${when}`,
    body: `${name === 'the upstream' ? 'The upstream' : name} answers again: images the cache does not hold pull through the mirror again.`,
    tone: 'idle',
  };
}

function sentence(text: string): string {
  const t = capitalize(text.trim());
  return /[.!?]$/.test(t) ? t : `${t}.`;
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
