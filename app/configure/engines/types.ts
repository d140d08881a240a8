// One adapter per kind of Docker engine: detect -> edit its configuration -> apply (reload or
// restart) -> verify through the engine's own `info()` -> undo. configure-engine.ts runs the steps.
import type { EngineUndoRecord } from '../undo-store.js';
import type { Runner } from '../runner.js';

export type EngineKind = 'docker-desktop' | 'linux-dockerd' | 'colima' | 'orbstack' | 'machine';

/**
 * not-configured: the configuration does not list the mirror (and the engine does not use it);
 * configured-not-applied: the file lists it, the running engine does not (yet), or it is not running;
 * using-mirror: verified: the engine's `info().RegistryConfig.Mirrors` lists it.
 */
export type EngineState = 'not-configured' | 'configured-not-applied' | 'using-mirror';

export interface Detection {
  detected: boolean;
  /** how it was found, or why not */
  how: string;
}

/** The part of dockerode the adapters use: enough to verify, and easy to stand in for in tests. */
export interface EngineProbe {
  info(): Promise<unknown>;
  ping(): Promise<unknown>;
}

export interface EditResult {
  /** the configuration was changed */
  changed: boolean;
  /** what undo needs; null when nothing was written */
  record: EngineUndoRecord | null;
  detail: string;
}

export interface EngineAdapter {
  /** docker-desktop, linux-dockerd, colima:<profile>, orbstack, machine:<name> */
  readonly name: string;
  readonly kind: EngineKind;
  /** what `configure` edits (for a machine: `<name>:/var/lib/boot2docker/profile`) */
  readonly configFile: string;
  detect(): Promise<Detection>;
  /** whether the configuration lists the mirror (false when there is no configuration yet) */
  isConfigured(mirrorUrl: string): Promise<boolean>;
  /** the running engine's registry mirrors, or null when it does not answer */
  engineMirrors(): Promise<string[] | null>;
  /** the steps `configure` would take, for a person to read */
  plan(mirrorUrl: string): string[];
  /** refuses a mirror URL this engine could not use, saying why (before anything is written) */
  checkMirrorUrl?(mirrorUrl: string): void;
  edit(mirrorUrl: string): Promise<EditResult>;
  /** exact: the file is back as it was (false: it had changed since, only our entry was taken out) */
  revert(record: EngineUndoRecord): Promise<{ changed: boolean; exact?: boolean; detail: string }>;
  /**
   * The adapter for the engine a record was made on (its file, its reload, its socket), whatever this
   * process was given: undo runs without the flags or the DOCKER_HOST that configure had.
   */
  forRecord?(record: EngineUndoRecord): EngineAdapter;
  /** makes the engine read its configuration again; returns what it did */
  apply(): Promise<string>;
}

/** What the adapters share: child processes, waiting, and where home is. All injectable. */
export interface AdapterDeps {
  runner?: Runner;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  home?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  exists?: (path: string) => boolean;
  /** the engine behind a unix socket (default: dockerode) */
  probeAt?: (socketPath: string) => EngineProbe;
}
