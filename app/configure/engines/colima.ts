// Colima: one profile per directory under $COLIMA_HOME (default ~/.colima); its colima.yaml's
// `docker:` key holds daemon.json settings, applied by `colima restart <profile>`.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { messageOf } from '../../util/errors.js';
import { assertWritable, readDaemonJsonFile, sha256, writeAtomic } from '../daemon-json/file.js';
import { validateMirrorUrl } from '../daemon-json/index.js';
import { asAppError, configureError } from '../errors.js';
import { commandLine, notInstalled, outputOf } from '../runner.js';
import type { EngineUndoRecord } from '../undo-store.js';
import { addColimaMirror, colimaMirrors, hasMirrorsKey, removeColimaMirror } from './colima-yaml.js';
import { answers, mirrorsOf, waitFor, withDefaults, type Deps } from './engine-info.js';
import type { AdapterDeps, Detection, EditResult, EngineAdapter, EngineProbe } from './types.js';
import { sameMirror } from '../daemon-json/index.js';

export function colimaHome(deps: Pick<Deps, 'env' | 'home'>): string {
  return deps.env.COLIMA_HOME || join(deps.home, '.colima');
}

/** Profiles that have a colima.yaml (Colima writes it on the first start). */
export function colimaProfiles(deps: AdapterDeps = {}): string[] {
  const d = withDefaults(deps);
  const home = colimaHome(d);
  let entries: string[];
  try {
    entries = readdirSync(home);
  } catch {
    return [];
  }
  // _lima, _templates, _store: Colima's own directories, not profiles.
  return entries.filter((e) => !e.startsWith('_') && d.exists(join(home, e, 'colima.yaml'))).sort();
}

export class Colima implements EngineAdapter {
  readonly kind = 'colima' as const;
  readonly name: string;
  readonly configFile: string;
  readonly socket: string;
  private readonly deps: Deps;

  constructor(
    readonly profile: string,
    private readonly opts: AdapterDeps & { restartTimeoutMs?: number } = {},
  ) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(profile))
      throw configureError('BAD_NAME', `invalid Colima profile name "${profile}"`);
    this.deps = withDefaults(opts);
    this.name = `colima:${profile}`;
    const dir = join(colimaHome(this.deps), profile);
    this.configFile = join(dir, 'colima.yaml');
    this.socket = join(dir, 'docker.sock');
  }

  private probe(): EngineProbe {
    return this.deps.probeAt(this.socket);
  }

  async detect(): Promise<Detection> {
    if (!this.deps.exists(this.configFile)) return { detected: false, how: `no ${this.configFile}` };
    const running = this.deps.exists(this.socket) ? ` (socket ${this.socket})` : ' (not running)';
    return { detected: true, how: `profile ${this.profile}: ${this.configFile}${running}` };
  }

  private async read(): Promise<{
    text: string | null;
    file: Awaited<ReturnType<typeof readDaemonJsonFile>>;
  }> {
    try {
      const file = await readDaemonJsonFile(this.configFile);
      return { text: file.bytes === null ? null : file.bytes.toString('utf8'), file };
    } catch (err) {
      throw asAppError(err);
    }
  }

  async isConfigured(mirrorUrl: string): Promise<boolean> {
    const { text } = await this.read().catch(() => ({ text: null }));
    return text !== null && colimaMirrors(text, this.configFile).some((m) => sameMirror(m, mirrorUrl));
  }

  engineMirrors(): Promise<string[] | null> {
    return mirrorsOf(this.probe());
  }

  plan(): string[] {
    return [
      `edit ${this.configFile} (docker.registry-mirrors)`,
      `colima restart ${this.profile}`,
      `wait until ${this.socket} answers, check info().RegistryConfig.Mirrors`,
    ];
  }

  async edit(mirrorUrl: string): Promise<EditResult> {
    const mirror = (() => {
      try {
        return validateMirrorUrl(mirrorUrl);
      } catch (err) {
        throw asAppError(err);
      }
    })();
    const { text, file } = await this.read();
    if (text === null) {
      throw configureError(
        'INVALID_CONFIG',
        `${this.configFile} does not exist: start the profile once (colima start ${this.profile}) so Colima writes it`,
      );
    }
    const edit = addColimaMirror(text, mirror, this.configFile);
    if (!edit.changed)
      return { changed: false, record: null, detail: `${this.configFile} already lists ${mirror}` };
    const after = Buffer.from(edit.text, 'utf8');
    await this.write(file, after);
    const record: EngineUndoRecord = {
      kind: 'colima-yaml',
      at: new Date().toISOString(),
      undo: {
        version: 1,
        path: this.configFile,
        mirror,
        before: file.bytes!.toString('base64'),
        afterSha256: sha256(after)!,
      },
    };
    return {
      changed: true,
      record,
      detail: `edited ${this.configFile}: docker.registry-mirrors ${JSON.stringify(edit.mirrors)}`,
    };
  }

  private async write(file: Awaited<ReturnType<typeof readDaemonJsonFile>>, bytes: Buffer): Promise<void> {
    try {
      await assertWritable(file);
      await writeAtomic(this.configFile, bytes, {
        mode: file.mode,
        uid: file.uid,
        gid: file.gid,
        expect: file.bytes,
      });
    } catch (err) {
      throw asAppError(err);
    }
  }

  async revert(record: EngineUndoRecord): Promise<{ changed: boolean; detail: string }> {
    if (record.kind !== 'colima-yaml') throw new Error(`${this.name} cannot undo a ${record.kind} record`);
    const { undo } = record;
    const { text, file } = await this.read();
    if (text === null) return { changed: false, detail: `${undo.path} is gone: nothing to undo` };
    const before = undo.before === null ? null : Buffer.from(undo.before, 'base64');
    if (before && sha256(file.bytes) === undo.afterSha256) {
      await this.write(file, before);
      return { changed: true, detail: `restored ${undo.path} exactly as it was` };
    }
    // Edited since (by the user or Colima): take out only our entry.
    const dropEmptyKey = !(before && hasMirrorsKey(before.toString('utf8')));
    const edit = removeColimaMirror(text, undo.mirror, { dropEmptyKey }, undo.path);
    if (!edit.changed)
      return { changed: false, detail: `${undo.path} no longer lists ${undo.mirror}: nothing to undo` };
    await this.write(file, Buffer.from(edit.text, 'utf8'));
    return { changed: true, detail: `${undo.path} changed since; took out only ${undo.mirror}` };
  }

  async apply(): Promise<string> {
    const args = ['restart', this.profile];
    let r;
    try {
      r = await this.deps.runner('colima', args, { timeoutMs: 600_000 });
    } catch (err) {
      if (notInstalled(err))
        throw configureError('NOT_INSTALLED', 'colima is not on PATH: restart the profile by hand');
      throw configureError(
        'APPLY_FAILED',
        `${commandLine('colima', args)} could not be run: ${messageOf(err)}`,
      );
    }
    if (r.code !== 0)
      throw configureError('APPLY_FAILED', `${commandLine('colima', args)} failed: ${outputOf(r)}`);
    const timeout = this.opts.restartTimeoutMs ?? 120_000;
    if (!(await waitFor(() => answers(this.probe()), timeout, this.deps, 1000))) {
      throw configureError(
        'APPLY_FAILED',
        `Colima's engine did not answer at ${this.socket} within ${timeout / 1000} s`,
      );
    }
    return commandLine('colima', args);
  }
}
