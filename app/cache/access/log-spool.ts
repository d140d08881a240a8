// A container's log goes with it: the pulls logged by a mirror that is about to be removed or recreated
// (a mode switch, `up --offline`, a settings change, reset) would never be counted. Before the removal
// the lines that tell about pulls are kept in `<dataDir>/access-log/`, one file per container; the
// tracker folds them in before the live container's log (so lines stay in log order) and deletes each
// once its records are saved. Its cursor makes a file read twice (a crash before the delete) count once.
import type Docker from 'dockerode';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { demuxLogs } from '../../docker/demux.js';
import { LABELS } from '../../mirror/container-spec.js';
import { writeFileAtomic } from '../../mirror/files.js';
import { parseLogLine } from './log-entry.js';

/** More than the engine keeps of one container's log (json-file, 3 x 10 MB): old files go first. */
export const KEPT_LOGS_MAX_BYTES = 64 * 1024 * 1024;

export function keptLogsDir(dataDir: string): string {
  return join(dataDir, 'access-log');
}

/** Where the tracker notes how far it has read (ms, log time): what a removal needs to keep starts there. */
function readThroughPath(dataDir: string): string {
  return join(keptLogsDir(dataDir), 'read-through');
}

/** Notes that every line up to `timeMs` was folded in (by the tracker, after saving its records). */
export async function noteReadThrough(dataDir: string, timeMs: number): Promise<void> {
  await mkdir(keptLogsDir(dataDir), { recursive: true });
  await writeFileAtomic(readThroughPath(dataDir), String(timeMs));
}

async function readThrough(dataDir: string): Promise<number> {
  const n = Number(await readFile(readThroughPath(dataDir), 'utf8').catch(() => '0'));
  return Number.isFinite(n) ? n : 0;
}

export interface KeptLog {
  path: string;
  /** the container served without its upstream: its pulls are offline pulls */
  offline: boolean;
}

/** Keeps what a container's log tells about pulls before it is removed; never throws. */
export async function keepAccessLog(
  docker: Docker,
  info: Pick<Docker.ContainerInspectInfo, 'Id' | 'Config'>,
  dataDir: string,
): Promise<boolean> {
  try {
    // Only what the tracker has not read: the engine reads a full log slowly (16 MB: 2 s). A second
    // early, so a line logged in the same second as the last one read is not left out (the tracker's
    // cursor skips what it counted already).
    const since = Math.max(0, Math.floor((await readThrough(dataDir)) / 1000) - 1);
    const buf = (await docker
      .getContainer(info.Id)
      .logs({ stdout: true, stderr: true, follow: false, since })) as unknown as Buffer;
    const lines = demuxLogs(buf)
      .split('\n')
      .filter((l) => parseLogLine(l) !== undefined);
    if (!lines.length) return true;
    const dir = keptLogsDir(dataDir);
    await mkdir(dir, { recursive: true });
    const mode = info.Config.Labels?.[LABELS.mode] === 'offline' ? 'offline' : 'proxy';
    // Named so that a sort is the order they were kept in.
    const name = `${String(Date.now()).padStart(15, '0')}-${info.Id.slice(0, 12)}-${mode}.log`;
    await writeFileAtomic(join(dir, name), lines.join('\n') + '\n');
    await trim(dir);
    return true;
  } catch {
    // A full disk or an engine going away must not stop the removal: the pulls are lost, nothing else.
    return false;
  }
}

/** The kept logs, oldest first. */
export function keptLogs(dataDir: string): Promise<KeptLog[]> {
  return list(keptLogsDir(dataDir));
}

async function list(dir: string): Promise<KeptLog[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => /^\d{15}-[0-9a-f]+-(proxy|offline)\.log$/.test(n))
    .sort()
    .map((n) => ({ path: join(dir, n), offline: n.endsWith('-offline.log') }));
}

async function trim(dir: string): Promise<void> {
  const files = (await list(dir)).reverse();
  let total = 0;
  for (const f of files) {
    const size = (await stat(f.path).catch(() => undefined))?.size ?? 0;
    total += size;
    if (total > KEPT_LOGS_MAX_BYTES) await rm(f.path, { force: true });
  }
}
