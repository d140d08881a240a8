// Linux dockerd: /etc/docker/daemon.json, applied by SIGHUP (dockerd reloads registry-mirrors without
// restarting containers): `systemctl reload docker` when systemd runs it, else a signal to the pid in
// /var/run/docker.pid. An explicit file and pid point it at another dockerd (the test bed's).
import { readFileSync } from 'node:fs';
import { DEFAULT_SOCKET } from '../../docker/connection.js';
import { messageOf } from '../../util/errors.js';
import { decodeUtf8, readDaemonJsonFile, removeIfUnchanged, writeAtomic } from '../daemon-json/file.js';
import {
  addMirror,
  daemonJsonPaths,
  parseDaemonJson,
  removeMirror,
  type ValidateOptions,
} from '../daemon-json/index.js';
import { configureError } from '../errors.js';
import type { ApplyRecord, EngineUndoRecord } from '../undo-store.js';
import { commandLine, outputOf } from '../runner.js';
import { DaemonJsonEngine } from './daemon-json-engine.js';
import { mirrorsOf, waitFor, withDefaults, type Deps } from './engine-info.js';
import type { AdapterDeps, Detection, EngineProbe } from './types.js';

export const DOCKER_PIDFILE = '/var/run/docker.pid';

export interface LinuxDockerdOptions extends AdapterDeps {
  /** default /etc/docker/daemon.json */
  configFile?: string;
  /** the dockerd to signal; default: systemd's docker.service, else the pid in pidFile */
  pid?: number;
  pidFile?: string;
  /** the engine to verify with; default the socket /var/run/docker.sock */
  probe?: EngineProbe;
  /** dockerd --validate before writing (default on: the dockerd that reads the file is this host's) */
  validate?: ValidateOptions | false;
  /** sends a signal (default process.kill) */
  signal?: (pid: number, signal: NodeJS.Signals) => void;
  /** how this dockerd was found, when it was not given (e.g. "dockerd pid 12 serving … (DOCKER_HOST)") */
  foundBy?: string;
  /** its socket, unix:///…, kept in the undo record so undo reaches the same engine */
  host?: string;
}

export class LinuxDockerd extends DaemonJsonEngine {
  readonly name = 'linux-dockerd';
  readonly kind = 'linux-dockerd' as const;
  private readonly deps: Deps;

  constructor(private readonly opts: LinuxDockerdOptions = {}) {
    super(opts.configFile ?? daemonJsonPaths().linux, opts.validate ?? {});
    this.deps = withDefaults(opts);
  }

  protected probe(): EngineProbe {
    return this.opts.probe ?? this.deps.probeAt(DEFAULT_SOCKET);
  }

  protected override applyRecord(): ApplyRecord | undefined {
    const { pidFile, pid, host } = this.opts;
    if (pidFile === undefined && pid === undefined && host === undefined) return undefined;
    return {
      ...(pidFile !== undefined ? { pidFile } : {}),
      ...(pid !== undefined ? { pid } : {}),
      ...(host !== undefined ? { host } : {}),
    };
  }

  /**
   * The dockerd a record was made on: its file, its socket, and a live pid (its pidfile read again, as
   * a restarted dockerd has another pid; else the pid recorded; else one given now with --pid).
   * A record from an older version (no apply) keeps what this process was given.
   */
  forRecord(record: EngineUndoRecord): LinuxDockerd {
    if (record.kind !== 'daemon-json') return this;
    if (!record.apply) return new LinuxDockerd({ ...this.opts, configFile: record.undo.path });
    const { pidFile, pid, host } = record.apply;
    const socket = host?.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
    // What was found or given for another engine must not leak into this one.
    const { pid: givenPid, pidFile: _pf, host: _h, foundBy: _f, ...rest } = this.opts;
    // A record without a pid is the system's dockerd: it keeps its usual reload (systemd or its pidfile).
    const candidates =
      pid === undefined ? [] : [pidFile !== undefined ? this.pidFromFile(pidFile) : undefined, pid, givenPid];
    const reloadPid = candidates.find((p) => p !== undefined && this.alive(p)) ?? pid;
    return new LinuxDockerd({
      ...rest,
      configFile: record.undo.path,
      ...(pidFile !== undefined ? { pidFile } : {}),
      ...(reloadPid !== undefined
        ? { pid: reloadPid, foundBy: `dockerd pid ${reloadPid} (named by the undo record)` }
        : {}),
      ...(socket ? { probe: this.deps.probeAt(socket), host: `unix://${socket}` } : {}),
    });
  }

  private pidFromFile(file = this.opts.pidFile ?? DOCKER_PIDFILE): number | undefined {
    try {
      const pid = Number(readFileSync(file, 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  private alive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  }

  async detect(): Promise<Detection> {
    if (this.opts.pid !== undefined) {
      return this.alive(this.opts.pid)
        ? { detected: true, how: this.opts.foundBy ?? `dockerd pid ${this.opts.pid} (given)` }
        : { detected: false, how: `no process with pid ${this.opts.pid}` };
    }
    if (this.opts.foundBy) return { detected: true, how: this.opts.foundBy };
    if (this.deps.platform !== 'linux') return { detected: false, how: `not Linux (${this.deps.platform})` };
    const pid = this.pidFromFile();
    if (pid && this.alive(pid))
      return { detected: true, how: `dockerd pid ${pid} (${this.opts.pidFile ?? DOCKER_PIDFILE})` };
    if (this.deps.exists(DEFAULT_SOCKET)) return { detected: true, how: `socket ${DEFAULT_SOCKET}` };
    if (this.deps.exists(this.configFile)) return { detected: true, how: `${this.configFile} exists` };
    return {
      detected: false,
      how: `no ${this.opts.pidFile ?? DOCKER_PIDFILE}, ${DEFAULT_SOCKET} or ${this.configFile}`,
    };
  }

  private async systemdManaged(): Promise<boolean> {
    if (this.opts.pid !== undefined) return false;
    try {
      const r = await this.deps.runner('systemctl', ['is-active', 'docker'], { timeoutMs: 10_000 });
      return r.code === 0 && r.stdout.trim() === 'active';
    } catch {
      return false; // no systemd here
    }
  }

  plan(): string[] {
    const reload =
      this.opts.pid !== undefined
        ? `kill -HUP ${this.opts.pid}`
        : `systemctl reload docker (or kill -HUP the pid in ${this.opts.pidFile ?? DOCKER_PIDFILE})`;
    return [`edit ${this.configFile} (registry-mirrors)`, reload, 'check info().RegistryConfig.Mirrors'];
  }

  async apply(): Promise<string> {
    const how = await this.reload();
    return (await this.clearDroppedKey()) ? `${how}, twice (to drop mirrors the file no longer names)` : how;
  }

  /**
   * dockerd reloads registry-mirrors only when the key is in the file: after an undo that removed the
   * key (or the file) it keeps the old list until a restart. So it reads an empty list once, and the
   * file is then put back exactly as it was (which, without the key, means "no mirrors" at any start).
   */
  private async clearDroppedKey(): Promise<boolean> {
    const file = await readDaemonJsonFile(this.configFile).catch(() => null);
    if (!file) return false;
    const text = file.bytes === null ? '' : decodeUtf8(file.bytes);
    if (parseDaemonJson(text).mirrors !== null) return false;
    const lingering = await mirrorsOf(this.probe());
    if (!lingering?.length) return false;
    const placeholder = 'http://drpc.invalid';
    const empty = removeMirror(addMirror(text, placeholder).text, placeholder, { dropEmptyKey: false }).text;
    const emptyBytes = Buffer.from(empty, 'utf8');
    const attrs = { mode: file.mode, uid: file.uid, gid: file.gid };
    await writeAtomic(this.configFile, emptyBytes, { ...attrs, expect: file.bytes });
    try {
      await this.reload();
      await waitFor(async () => (await mirrorsOf(this.probe()))?.length === 0, 5_000, this.deps, 50);
    } finally {
      if (file.bytes === null) await removeIfUnchanged(this.configFile, emptyBytes);
      else await writeAtomic(this.configFile, file.bytes, { ...attrs, expect: emptyBytes });
    }
    return true;
  }

  private async reload(): Promise<string> {
    if (await this.systemdManaged()) {
      const args = ['reload', 'docker'];
      const r = await this.deps.runner('systemctl', args, { timeoutMs: 60_000 }).catch((err: unknown) => {
        throw configureError('APPLY_FAILED', `systemctl could not be run: ${messageOf(err)}`);
      });
      if (r.code !== 0) {
        throw configureError('APPLY_FAILED', `${commandLine('systemctl', args)} failed: ${outputOf(r)}`);
      }
      return commandLine('systemctl', args);
    }
    const pid = this.opts.pid ?? this.pidFromFile();
    if (!pid) {
      throw configureError(
        'NOT_RUNNING',
        `dockerd is not running (no pid in ${this.opts.pidFile ?? DOCKER_PIDFILE})`,
      );
    }
    try {
      (this.opts.signal ?? process.kill)(pid, 'SIGHUP');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EPERM')
        throw configureError('APPLY_FAILED', `not allowed to signal dockerd (pid ${pid}): run with sudo`);
      if (code === 'ESRCH') throw configureError('NOT_RUNNING', `dockerd (pid ${pid}) is not running`);
      throw err;
    }
    return `kill -HUP ${pid}`;
  }
}
