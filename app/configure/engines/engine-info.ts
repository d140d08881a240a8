// Asking an engine what it does: `info().RegistryConfig.Mirrors` (dockerd writes each with a
// trailing slash) is the proof that a configuration was applied. Plus waiting for an engine to answer.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { setTimeout as sleepTimer } from 'node:timers/promises';
import Docker from 'dockerode';
import { sameMirror } from '../daemon-json/index.js';
import { processRunner } from '../runner.js';
import type { AdapterDeps, EngineProbe, EngineState } from './types.js';

export function socketProbe(socketPath: string): EngineProbe {
  // A bounded timeout: an engine that hangs must not hang the list of engines.
  return new Docker({ socketPath, timeout: 10_000 });
}

/** The deps with their defaults filled in. */
export function withDefaults(deps: AdapterDeps = {}) {
  return {
    runner: deps.runner ?? processRunner,
    sleep: deps.sleep ?? ((ms: number) => sleepTimer(ms).then(() => undefined)),
    now: deps.now ?? Date.now,
    home: deps.home ?? deps.env?.HOME ?? homedir(),
    env: deps.env ?? process.env,
    platform: deps.platform ?? process.platform,
    exists: deps.exists ?? existsSync,
    probeAt: deps.probeAt ?? socketProbe,
  };
}
export type Deps = ReturnType<typeof withDefaults>;

/** RegistryConfig.Mirrors, or null when the engine does not answer. */
export async function mirrorsOf(probe: EngineProbe): Promise<string[] | null> {
  try {
    const info = (await probe.info()) as { RegistryConfig?: { Mirrors?: unknown } } | undefined;
    const mirrors = info?.RegistryConfig?.Mirrors;
    return Array.isArray(mirrors) ? mirrors.filter((m): m is string => typeof m === 'string') : [];
  } catch {
    return null;
  }
}

export function listsMirror(mirrors: readonly string[] | null, url: string): boolean {
  return !!mirrors && mirrors.some((m) => sameMirror(m, url));
}

export function stateOf(configured: boolean, mirrors: readonly string[] | null, url: string): EngineState {
  if (listsMirror(mirrors, url)) return 'using-mirror';
  return configured ? 'configured-not-applied' : 'not-configured';
}

/** Polls until `check` is true or the time is up; returns whether it became true. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  deps: Pick<Deps, 'sleep' | 'now'>,
  intervalMs = 250,
): Promise<boolean> {
  const deadline = deps.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (deps.now() >= deadline) return false;
    await deps.sleep(intervalMs);
  }
}

export async function answers(probe: EngineProbe): Promise<boolean> {
  try {
    await probe.ping();
    return true;
  } catch {
    return false;
  }
}
