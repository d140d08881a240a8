// The one action: configure -> (persist undo) -> apply -> verify through the engine; and its exact undo.
import { messageOf } from '../../util/errors.js';
import { validateMirrorUrl } from '../daemon-json/index.js';
import { asAppError, configureError } from '../errors.js';
import type { EngineUndoStore } from '../undo-store.js';
import { listsMirror, stateOf, waitFor, withDefaults } from './engine-info.js';
import type { Detection, EngineAdapter, EngineKind, EngineState } from './types.js';

/** Said wherever a person configures an engine: dockerd never mirrors any other registry. */
export const HUB_ONLY_NOTE =
  'registry-mirrors applies to Docker Hub images only: images from other registries (ghcr.io, quay.io, …) are never mirrored.';

export interface EngineReport {
  name: string;
  kind: EngineKind;
  detected: boolean;
  how: string;
  configFile: string;
  /** the mirror this engine should use; null when there is none it could use yet */
  mirrorUrl: string | null;
  state: EngineState;
  /** the configuration lists the mirror */
  configured: boolean;
  /** the engine's registry mirrors; null: it did not answer */
  engineMirrors: string[] | null;
  /** what configure would run */
  plan: string[];
  /** configure runs with undo records for this engine */
  undoRecords: number;
  note?: string;
}

export async function engineReport(
  adapter: EngineAdapter,
  mirrorUrl: string | undefined,
  opts: { undo?: EngineUndoStore; detection?: Detection } = {},
): Promise<EngineReport> {
  const { detected, how } = opts.detection ?? (await adapter.detect());
  let configured = false;
  let note: string | undefined;
  if (mirrorUrl && detected) {
    try {
      configured = await adapter.isConfigured(mirrorUrl);
    } catch (err) {
      note = messageOf(err);
    }
  }
  const engineMirrors = detected ? await adapter.engineMirrors() : null;
  if (!mirrorUrl)
    note ??= 'no mirror it could use yet (for a docker-machine VM: drpc machine create-registry)';
  else if (!note && detected && engineMirrors === null) note = 'the engine does not answer (not running?)';
  return {
    name: adapter.name,
    kind: adapter.kind,
    detected,
    how,
    configFile: adapter.configFile,
    mirrorUrl: mirrorUrl ?? null,
    state: mirrorUrl ? stateOf(configured, engineMirrors, mirrorUrl) : 'not-configured',
    configured,
    engineMirrors,
    plan: mirrorUrl ? adapter.plan(mirrorUrl) : [],
    undoRecords: opts.undo ? (await opts.undo.records(adapter.name)).length : 0,
    ...(note ? { note } : {}),
  };
}

export interface ConfigureOptions {
  undo: EngineUndoStore;
  /** how long to wait for info() to list the mirror after applying (default 30 s) */
  verifyTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** progress for a person, one line each */
  onStep?: (line: string) => void;
}

export interface ConfigureOutcome {
  engine: string;
  mirrorUrl: string;
  /** the configuration was edited (false: it already listed the mirror) */
  changed: boolean;
  /** what was run to apply it; null when the engine already used the mirror */
  applied: string | null;
  verified: boolean;
  state: EngineState;
  engineMirrors: string[] | null;
  steps: string[];
}

export async function configureEngine(
  adapter: EngineAdapter,
  mirrorUrl: string,
  opts: ConfigureOptions,
): Promise<ConfigureOutcome> {
  const deps = withDefaults(opts);
  const steps: string[] = [];
  const step = (line: string) => (steps.push(line), opts.onStep?.(line));
  let url: string;
  try {
    url = validateMirrorUrl(mirrorUrl);
  } catch (err) {
    throw asAppError(err);
  }
  adapter.checkMirrorUrl?.(url);
  // What undo must bring back: the engine's own list, before we touch anything.
  const mirrorsBefore = await adapter.engineMirrors();
  const edit = await adapter.edit(url);
  // Saved before anything else can fail: an engine that does not come back can still be undone.
  if (edit.record) await opts.undo.push(adapter.name, { ...edit.record, mirrorsBefore });
  step(edit.detail);
  let applied: string | null = null;
  if (edit.changed || !listsMirror(await adapter.engineMirrors(), url)) {
    try {
      applied = await adapter.apply();
    } catch (err) {
      const undoHint = edit.record
        ? `; \`drpc configure --engine ${adapter.name} --undo\` reverts the change`
        : '';
      const e = asAppError(err) as Error;
      e.message = `${adapter.name} is configured but the change was not applied: ${e.message}${undoHint}`;
      throw e;
    }
    step(`applied: ${applied}`);
  }
  let mirrors: string[] | null = null;
  const verified = await waitFor(
    async () => listsMirror((mirrors = await adapter.engineMirrors()), url),
    opts.verifyTimeoutMs ?? 30_000,
    deps,
  );
  step(
    verified
      ? `verified: info().RegistryConfig.Mirrors lists ${url}`
      : `not verified: the engine reports mirrors ${JSON.stringify(mirrors)}`,
  );
  return {
    engine: adapter.name,
    mirrorUrl: url,
    changed: edit.changed,
    applied,
    verified,
    state: stateOf(true, mirrors, url),
    engineMirrors: mirrors,
    steps,
  };
}

export interface UndoOutcome {
  engine: string;
  /** records undone, newest first */
  undone: number;
  applied: string | null;
  /**
   * the engine reports the mirrors it had before configure (or, when the file had changed since, no
   * mirror we had added); only then are the records dropped
   */
  verified: boolean;
  engineMirrors: string[] | null;
  steps: string[];
}

/** The same registry mirrors, in any order (dockerd adds a trailing slash to each). */
function sameMirrorList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((m) => listsMirror(b, m)) && b.every((m) => listsMirror(a, m));
}

/**
 * Reverts every record of the engine (newest first), reloads it and verifies through the engine that
 * it is back as before. The records stay until then: an undo that fails half-way, or an engine that
 * does not come back, can be undone again (a revert finding the file already restored changes nothing).
 */
export async function undoEngine(adapter: EngineAdapter, opts: ConfigureOptions): Promise<UndoOutcome> {
  const deps = withDefaults(opts);
  const steps: string[] = [];
  const step = (line: string) => (steps.push(line), opts.onStep?.(line));
  const records = await opts.undo.records(adapter.name);
  if (!records.length) {
    throw configureError(
      'NOTHING_TO_UNDO',
      `nothing to undo for ${adapter.name}: configure has not changed it (or it was undone already)`,
    );
  }
  const on = (r: (typeof records)[number]) => adapter.forRecord?.(r) ?? adapter;
  let changed = false;
  let exact = true;
  for (const record of [...records].reverse()) {
    const r = await on(record).revert(record);
    changed ||= r.changed;
    exact &&= r.exact !== false;
    step(r.detail);
  }
  // The engine the newest record was made on is the one to reload and ask.
  const engine = on(records.at(-1)!);
  const ours = records.map((r) => r.undo.mirror);
  const before = records[0]!.mirrorsBefore;
  const expected = exact && before ? before.filter((m) => !ours.some((o) => listsMirror([m], o))) : null;
  let applied: string | null = null;
  let mirrors: string[] | null = await engine.engineMirrors();
  const back = (list: string[] | null) =>
    list !== null &&
    !ours.some((m) => listsMirror(list, m)) &&
    (expected === null || sameMirrorList(list, expected));
  if (changed || !back(mirrors)) {
    applied = await engine.apply();
    step(`applied: ${applied}`);
  }
  const verified = await waitFor(
    async () => back((mirrors = await engine.engineMirrors())),
    opts.verifyTimeoutMs ?? 30_000,
    deps,
  );
  if (verified) {
    await opts.undo.remove(adapter.name, records);
    step(
      `verified: the engine reports ${expected ? `its mirrors from before (${JSON.stringify(expected)})` : `no longer ${ours.join(', ')}`}`,
    );
  } else {
    step(
      `not verified: the engine reports mirrors ${JSON.stringify(mirrors)}; the undo records are kept, run undo again`,
    );
  }
  return {
    engine: adapter.name,
    undone: records.length,
    applied,
    verified,
    engineMirrors: mirrors,
    steps,
  };
}
