// When the keeper switches a running mirror's mode, on an injected clock: never on one probe, offline
// quickly when the upstream is really gone, back to proxy only after it answered for a while and the
// dwell has passed, and a flapping upstream costs one switch (or a thinning handful), not one per probe.
import { describe, expect, it } from 'vitest';
import { defaultHysteresis, ModeHysteresis, type HysteresisOptions } from './mode-hysteresis.js';
import type { MirrorMode } from './registry-config.js';

const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;

interface Sim {
  /** whether the upstream answers at time t */
  up: (t: number) => boolean;
  /** how long a probe takes at time t (a black-holed network: the probe's 3 s deadline) */
  probeMs?: (t: number) => number;
  untilMs: number;
  intervalMs?: number;
  options?: HysteresisOptions;
  /** a switch recreates the container: about a second */
  switchMs?: number;
  start?: MirrorMode;
}

/**
 * Runs the keeper's loop (probe, decide, switch, wait) on simulated time; returns each switch with when
 * it was done. `naive` decides as the keeper did before: the mode of the latest probe.
 */
function simulate(sim: Sim, naive = false): Array<{ at: number; mode: MirrorMode; dwellMs: number }> {
  const interval = sim.intervalMs ?? 5 * S;
  const h = new ModeHysteresis(interval, sim.options);
  const switches: Array<{ at: number; mode: MirrorMode; dwellMs: number }> = [];
  let mode: MirrorMode = sim.start ?? 'proxy';
  let t = 0;
  while (t < sim.untilMs) {
    const reachable = sim.up(t);
    t += sim.probeMs?.(t) ?? 0;
    h.observe(reachable, t);
    const want = naive ? (reachable ? 'proxy' : 'offline') : h.target(mode, t);
    if (want !== mode) {
      t += sim.switchMs ?? S;
      mode = want;
      h.switched(mode, t);
      switches.push({ at: t, mode, dwellMs: h.dwellMs });
    }
    t += naive ? interval : h.nextProbeInMs(interval);
  }
  return switches;
}

describe('defaultHysteresis', () => {
  it('scales with the probe interval: offline after 3 failures 1 s apart, proxy after 2 intervals, dwell 6', () => {
    expect(defaultHysteresis()).toEqual({
      offlineAfterFailures: 3,
      confirmIntervalMs: 1000,
      proxyAfterMs: 10_000,
      minDwellMs: 30_000,
      maxDwellMs: 600_000,
      steadyAfterMs: 600_000,
    });
    expect(defaultHysteresis(500)).toMatchObject({
      confirmIntervalMs: 500,
      proxyAfterMs: 1000,
      minDwellMs: 3000,
    });
  });
});

describe('ModeHysteresis', () => {
  it('keeps proxy through one or two failed probes, and goes offline on the third in a row', () => {
    const h = new ModeHysteresis(5000);
    const seen: MirrorMode[] = [];
    for (const [t, ok] of [
      [0, false],
      [1000, false],
      [2000, true], // an answer starts the count again
      [7000, false],
      [8000, false],
      [9000, false],
    ] as const) {
      h.observe(ok, t);
      seen.push(h.target('proxy', t));
    }
    expect(seen).toEqual(['proxy', 'proxy', 'proxy', 'proxy', 'proxy', 'offline']);
  });

  it('probes again after 1 s while a failure is being confirmed, at the interval otherwise', () => {
    const h = new ModeHysteresis(5000);
    expect(h.nextProbeInMs(5000)).toBe(5000);
    h.observe(false, 0);
    expect(h.nextProbeInMs(5000)).toBe(1000);
    h.observe(false, 1000);
    expect(h.nextProbeInMs(5000)).toBe(1000);
    h.observe(false, 2000); // confirmed: offline, no hurry any more
    expect(h.nextProbeInMs(5000)).toBe(5000);
    h.observe(true, 7000);
    expect(h.nextProbeInMs(5000)).toBe(5000);
  });

  it('goes back to proxy only once the upstream answered every probe for 2 intervals', () => {
    const h = new ModeHysteresis(5000);
    const at = (t: number, ok: boolean) => (h.observe(ok, t), h.target('offline', t));
    expect(at(0, true)).toBe('offline');
    expect(at(5000, true)).toBe('offline');
    expect(at(8000, false)).toBe('offline'); // one failure: the 10 s start again
    expect(at(13_000, true)).toBe('offline');
    expect(at(18_000, true)).toBe('offline');
    expect(at(23_000, true)).toBe('proxy');
  });

  it('stays offline at least the dwell after going offline, however well the upstream answers', () => {
    const h = new ModeHysteresis(5000);
    h.switched('offline', 0);
    for (let t = 0; t < 30_000; t += 5000) {
      h.observe(true, t);
      expect(h.target('offline', t), `at ${t} ms`).toBe('offline');
    }
    h.observe(true, 30_000);
    expect(h.target('offline', 30_000)).toBe('proxy');
  });

  it('sends a mirror that does not serve where the last probe says: offline after one failure', () => {
    const h = new ModeHysteresis(5000);
    expect(h.target(undefined, 0)).toBe('proxy'); // nothing known yet
    h.observe(false, 0);
    expect(h.target(undefined, 0)).toBe('offline');
    expect(h.target('proxy', 0)).toBe('proxy'); // a serving one is not switched on one probe
    h.observe(true, 1000);
    expect(h.target(undefined, 1000)).toBe('proxy');
  });

  it('the network really gone: offline 3 s after the first failed probe, within 16 s when probes time out', () => {
    const down = 62 * S; // mid-interval: the worst wait for the next probe is a whole interval
    const refused = simulate({ up: (t) => t < down, untilMs: 3 * MIN });
    expect(refused).toHaveLength(1);
    expect(refused[0]!.mode).toBe('offline');
    const firstFailure = 65 * S;
    // 2 confirming probes 1 s apart, then a second to recreate the container.
    expect(refused[0]!.at - firstFailure).toBe(3 * S);

    const blackHoled = simulate({
      up: (t) => t < down,
      probeMs: (t) => (t < down ? 50 : 3 * S),
      untilMs: 3 * MIN,
    });
    expect(blackHoled).toHaveLength(1);
    // Three probes of 3 s each, 1 s apart, plus the recreate: offline within 16 s of the network going.
    expect(blackHoled[0]!.at - down).toBeLessThanOrEqual(16 * S);
  });

  it('back after an outage: proxy again 10 s after the upstream answers (the outage outlasted the dwell)', () => {
    const switches = simulate({ up: (t) => t < 60 * S || t >= 10 * MIN, untilMs: 15 * MIN });
    expect(switches.map((s) => s.mode)).toEqual(['offline', 'proxy']);
    expect(switches[1]!.at - 10 * MIN).toBeLessThanOrEqual(10 * S + 5 * S + S);
  });

  it('an upstream flapping at the probe interval: one switch an hour, where every probe switched before', () => {
    const flapping = { up: (t: number) => Math.floor(t / (5 * S)) % 2 === 0, untilMs: HOUR };
    const naive = simulate(flapping, true);
    const kept = simulate(flapping);
    expect(naive.length).toBeGreaterThan(500);
    // Offline once, and never back: it never answers for 10 s in a row.
    expect(kept.map((s) => s.mode)).toEqual(['offline']);
  });

  it('an upstream down and up for a minute each: the dwell doubles each time it falls back, up to 10 minutes', () => {
    // Each minute up is long enough to go back to proxy: only the growing dwell thins the switches out.
    const flapping = { up: (t: number) => Math.floor(t / MIN) % 2 === 0, untilMs: HOUR };
    const naive = simulate(flapping, true);
    const kept = simulate(flapping);
    expect(naive.length).toBeGreaterThanOrEqual(58);
    expect(kept.length).toBeLessThanOrEqual(20);
    const offline = kept.filter((s) => s.mode === 'offline');
    // 30 s, 60 s, 120 s ... while it keeps falling back within the dwell; never past the cap.
    expect(offline.map((s) => s.dwellMs).slice(0, 3)).toEqual([30 * S, 60 * S, 120 * S]);
    expect(Math.max(...offline.map((s) => s.dwellMs))).toBe(10 * MIN);
    // Every return to proxy waited out the dwell of the switch before it.
    for (let i = 1; i < kept.length; i++) {
      if (kept[i]!.mode === 'proxy')
        expect(kept[i]!.at - kept[i - 1]!.at).toBeGreaterThanOrEqual(kept[i - 1]!.dwellMs);
    }
    // Switches thin out: the second half hour has fewer than the first, about one round trip per 11 minutes.
    const firstHalf = kept.filter((s) => s.at < HOUR / 2).length;
    expect(kept.length - firstHalf).toBeLessThan(firstHalf);
    expect(kept.length - firstHalf).toBeLessThanOrEqual(6);
  });

  it('a steady upstream resets the dwell: the next outage is back to 30 s', () => {
    const h = new ModeHysteresis(5000);
    h.switched('offline', 0);
    h.switched('proxy', 31 * S);
    h.switched('offline', 40 * S); // fell back 9 s after coming back
    expect(h.dwellMs).toBe(60 * S);
    h.switched('proxy', 2 * MIN);
    h.switched('offline', 11 * MIN); // 9 minutes: not steady yet
    expect(h.dwellMs).toBe(120 * S);
    h.switched('proxy', 13 * MIN);
    h.switched('offline', 24 * MIN); // held for 11 minutes
    expect(h.dwellMs).toBe(30 * S);
  });

  it('takes other values: with 1 failure, no answer time and no dwell it switches on every probe', () => {
    const eager = { offlineAfterFailures: 1, proxyAfterMs: 0, minDwellMs: 0 };
    const flapping = { up: (t: number) => Math.floor(t / (5 * S)) % 2 === 0, untilMs: 10 * MIN };
    expect(simulate({ ...flapping, options: eager })).toHaveLength(simulate(flapping, true).length);
  });
});
