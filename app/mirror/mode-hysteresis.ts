// When the upstream's answers mean the running mirror should change mode. One probe is not enough:
// every switch recreates the container (about a second without a mirror), so an upstream that flaps
// at the probe interval would recreate it at that rate. The two directions are not alike:
// - Going offline is the safe side (the cache serves; in proxy mode without its upstream, 2.8 makes
//   every pull wait, about 10 s, or forever when the upstream accepts and never answers). So it is
//   quick: a few consecutive failed probes, the later ones sooner than the usual interval.
// - Going back to proxy risks a flap. So it is deliberate: the upstream must have answered every
//   probe for a while, and the mirror stays offline at least a dwell time after it went offline. A
//   mirror that has to go offline again before the upstream has been steady for a while doubles that
//   dwell (up to a cap): a flapping upstream makes it stay offline longer and longer, and a steady one
//   resets it. Staying offline too long is the cheaper mistake: only what the cache does not hold is
//   missed, and dockerd then pulls that from Docker Hub itself (uncached).
// A mirror that does not serve (stopped, starting, crash-looping: 2.8 in proxy mode panics at start when
// its upstream is unreachable) has nothing to lose: the last probe alone picks its mode, at once. Pure:
// the clock is passed in.
import type { MirrorMode } from './registry-config.js';

export interface HysteresisOptions {
  /** consecutive failed probes before a running mirror in proxy mode goes offline */
  offlineAfterFailures?: number;
  /** the pause before the next probe while a failure is being confirmed (shorter than the interval) */
  confirmIntervalMs?: number;
  /** how long the upstream must have answered every probe before an offline mirror goes back to proxy */
  proxyAfterMs?: number;
  /** least time offline (since the switch) before going back to proxy */
  minDwellMs?: number;
  /** the dwell doubles each time the mirror had to go offline again before being steady, up to this */
  maxDwellMs?: number;
  /** how long back in proxy mode counts as steady: going offline after that starts from minDwellMs again */
  steadyAfterMs?: number;
}

export type ResolvedHysteresis = Required<HysteresisOptions>;

/**
 * The defaults for a probe interval (5 s unless told otherwise): offline after 3 failed probes 1 s apart
 * (2 s after the first failure when the network refuses at once); proxy again after 2 intervals (10 s)
 * of answers, and no sooner than 6 intervals (30 s) after going offline, doubling up to 120 intervals
 * (10 minutes) while the upstream flaps, that is, while the mirror falls back offline within 10 minutes
 * of coming back. Scaled by the interval, so `drpc watch --interval` and tests keep the ratios.
 */
export function defaultHysteresis(probeIntervalMs = 5000): ResolvedHysteresis {
  return {
    offlineAfterFailures: 3,
    confirmIntervalMs: Math.min(probeIntervalMs, 1000),
    proxyAfterMs: 2 * probeIntervalMs,
    minDwellMs: 6 * probeIntervalMs,
    maxDwellMs: 120 * probeIntervalMs,
    steadyAfterMs: 120 * probeIntervalMs,
  };
}

export class ModeHysteresis {
  readonly options: ResolvedHysteresis;
  /** consecutive failed probes */
  private failures = 0;
  /** when the current run of answered probes began (undefined while the last probe failed) */
  private answeringSince?: number;
  /** the last probe's answer (undefined before the first) */
  private lastReachable?: boolean;
  private offlineAt?: number;
  private proxyAt?: number;
  private currentDwell: number;

  constructor(probeIntervalMs?: number, options: HysteresisOptions = {}) {
    this.options = { ...defaultHysteresis(probeIntervalMs), ...options };
    this.currentDwell = this.options.minDwellMs;
  }

  /** The least time offline before going back to proxy, as it stands now. */
  get dwellMs(): number {
    return this.currentDwell;
  }

  /** Records one probe. */
  observe(reachable: boolean, now: number): void {
    this.lastReachable = reachable;
    if (reachable) {
      this.failures = 0;
      this.answeringSince ??= now;
    } else {
      this.failures++;
      this.answeringSince = undefined;
    }
  }

  /**
   * The mode the mirror should run in now. `running`: the mode of the container while it serves;
   * undefined when none does (it would be started, or is not serving anyway: the last probe decides).
   */
  target(running: MirrorMode | undefined, now: number): MirrorMode {
    if (running === undefined) return this.lastReachable === false ? 'offline' : 'proxy';
    if (running === 'proxy') return this.failures >= this.options.offlineAfterFailures ? 'offline' : 'proxy';
    if (this.answeringSince === undefined || now - this.answeringSince < this.options.proxyAfterMs)
      return 'offline';
    if (this.offlineAt !== undefined && now - this.offlineAt < this.currentDwell) return 'offline';
    return 'proxy';
  }

  /** The keeper switched the mirror to this mode at this time. */
  switched(mode: MirrorMode, now: number): void {
    if (mode === 'offline') {
      // Offline again soon after coming back: the upstream flaps, so wait longer next time.
      const flapped = this.proxyAt !== undefined && now - this.proxyAt < this.options.steadyAfterMs;
      this.currentDwell = flapped
        ? Math.min(this.currentDwell * 2, this.options.maxDwellMs)
        : this.options.minDwellMs;
      this.offlineAt = now;
    } else {
      this.proxyAt = now;
    }
  }

  /** The pause before the next probe: shorter while a failure is being confirmed. */
  nextProbeInMs(intervalMs: number): number {
    const confirming = this.failures > 0 && this.failures < this.options.offlineAfterFailures;
    return confirming ? Math.min(intervalMs, this.options.confirmIntervalMs) : intervalMs;
  }
}
