// Reading and writing a machine's boot2docker profile over `docker-machine ssh`, so nobody edits it by
// hand. The remote commands are fixed text; the file's bytes travel as octal escapes for printf %b
// (POSIX, in busybox ash too), never as shell syntax. Markers in the output make the result readable
// whichever ssh client docker-machine uses (its native client allocates a pty and drops exit codes).
import { createHash } from 'node:crypto';
import { configureError } from '../errors.js';
import type { ProfileUndo } from '../undo-store.js';
import type { DockerMachine } from './cli.js';
import { addMirrorFlags, removeMirrorFlags, type MirrorFlags } from './profile.js';

export const PROFILE_PATH = '/var/lib/boot2docker/profile';
const TMP = `${PROFILE_PATH}.drpc-tmp`;
const BEGIN = 'drpc-begin';
const END = 'drpc-end:';
const WRITTEN = 'drpc-written';
const MISSING = 'drpc-missing';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The profile's text, or null when there is none. */
export async function readProfile(dm: DockerMachine, machine: string): Promise<string | null> {
  const r = await dm.ssh(
    machine,
    `echo ${BEGIN}; sudo cat ${PROFILE_PATH} 2>/dev/null; echo ${END}$?; sudo test -e ${PROFILE_PATH} || echo ${MISSING}`,
  );
  let out = r.stdout;
  const begin = out.indexOf(`${BEGIN}\n`) >= 0 ? out.indexOf(`${BEGIN}\n`) : out.indexOf(`${BEGIN}\r\n`);
  const end = out.lastIndexOf(END);
  if (begin < 0 || end < begin) {
    throw configureError(
      'COMMAND_FAILED',
      `could not read ${PROFILE_PATH} on ${machine}: ${(r.stderr || out).trim().slice(0, 300)}`,
      { machine },
    );
  }
  const pty = out.startsWith(`${BEGIN}\r\n`, begin);
  const tail = out.slice(end + END.length);
  const status = tail.split(/\r?\n/)[0]!.trim();
  out = out.slice(begin + BEGIN.length + (pty ? 2 : 1), end);
  if (status !== '0') {
    // Only a profile that is really not there counts as empty: a failed read must never lead to a new file.
    if (tail.includes(MISSING)) return null;
    throw configureError(
      'COMMAND_FAILED',
      `could not read ${PROFILE_PATH} on ${machine} (cat exit ${status}): ${r.stderr.trim().slice(0, 300)}`,
      { machine },
    );
  }
  // Through a pty every "\n" came back as "\r\n".
  return pty ? out.replaceAll('\r\n', '\n') : out;
}

/** Each byte outside a small safe set as \0NNN, inside single quotes for the remote shell. */
export function printfEscape(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9 _.,:=/+-]/.test(c) ? c : `\\0${byte.toString(8).padStart(3, '0')}`;
  }
  return out;
}

/** Replaces the profile (temp file, then mv) and reads it back to be sure. */
export async function writeProfile(dm: DockerMachine, machine: string, text: string): Promise<void> {
  const cmd = `printf '%b' '${printfEscape(text)}' | sudo tee ${TMP} >/dev/null && sudo mv ${TMP} ${PROFILE_PATH} && echo ${WRITTEN}`;
  const r = await dm.ssh(machine, cmd);
  const back = await readProfile(dm, machine);
  if (!r.stdout.includes(WRITTEN) || back !== text) {
    throw configureError(
      'COMMAND_FAILED',
      `writing ${PROFILE_PATH} on ${machine} failed: ${(r.stderr || r.stdout).trim().slice(0, 300) || 'it reads back different'}`,
      { machine },
    );
  }
}

export async function removeProfile(dm: DockerMachine, machine: string): Promise<void> {
  await dm.ssh(machine, `sudo rm -f ${PROFILE_PATH}`);
  if ((await readProfile(dm, machine)) !== null) {
    throw configureError('COMMAND_FAILED', `could not remove ${PROFILE_PATH} on ${machine}`, { machine });
  }
}

/** Adds the flags (idempotently); the undo record when something was written. */
export async function configureProfile(
  dm: DockerMachine,
  machine: string,
  flags: MirrorFlags,
): Promise<{ changed: boolean; undo: ProfileUndo | null; text: string }> {
  const before = await readProfile(dm, machine);
  const edit = addMirrorFlags(before ?? '', flags);
  if (!edit.changed) return { changed: false, undo: null, text: edit.text };
  await writeProfile(dm, machine, edit.text);
  return {
    changed: true,
    text: edit.text,
    undo: {
      version: 1,
      machine,
      path: PROFILE_PATH,
      mirror: flags.mirror,
      insecureRegistry: flags.insecureRegistry,
      before: before === null ? null : Buffer.from(before, 'utf8').toString('base64'),
      afterSha256: sha256(edit.text),
    },
  };
}

/** Restores the exact old profile if it is still what we wrote; else takes out only our two flags. */
export async function undoProfile(
  dm: DockerMachine,
  undo: ProfileUndo,
): Promise<{ changed: boolean; detail: string }> {
  const { machine } = undo;
  const current = await readProfile(dm, machine);
  if (current === null)
    return { changed: false, detail: `${machine}: ${PROFILE_PATH} is gone, nothing to undo` };
  if (sha256(current) === undo.afterSha256) {
    if (undo.before === null) {
      await removeProfile(dm, machine);
      return { changed: true, detail: `${machine}: removed ${PROFILE_PATH} (we had created it)` };
    }
    await writeProfile(dm, machine, Buffer.from(undo.before, 'base64').toString('utf8'));
    return { changed: true, detail: `${machine}: restored ${PROFILE_PATH} exactly as it was` };
  }
  const edit = removeMirrorFlags(current, { mirror: undo.mirror, insecureRegistry: undo.insecureRegistry });
  if (!edit.changed) return { changed: false, detail: `${machine}: ${PROFILE_PATH} no longer has our flags` };
  await writeProfile(dm, machine, edit.text);
  return { changed: true, detail: `${machine}: ${PROFILE_PATH} changed since; took out only our two flags` };
}
