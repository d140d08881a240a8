// How a CLI command meets the mirror's owner: while the app, `drpc watch` or the background keeper runs,
// a command that changes the mirror is sent to it (never done behind its back); with no owner the
// command takes the lock for its duration, and a second one waits for it (saying so) instead of
// interleaving. See CliCommand.owner for what each kind of command does.
import type { CliCommand, CliContext, OwnerCaller } from '../cli/command.js';
import { AppError } from '../util/errors.js';
import { callOwner, OwnerUnreachableError } from './client.js';
import { acquireOwnerLock, describeOwner, tryAcquire, type OwnerRecord } from './lock.js';
import { displace } from './owner-process.js';

export async function runWithOwner(
  command: CliCommand,
  ctx: CliContext,
  changesSettings: boolean,
): Promise<number> {
  if (!command.owner) return command.run(ctx);
  const home = ctx.configDir;
  const waiting = (h: OwnerRecord) => ctx.io.err(`waiting for ${describeOwner(h)} to finish`);
  for (;;) {
    const r = await tryAcquire(home, { role: 'cli', command: command.name });
    if (r.lock) {
      // Reading alone needs no lock: let the next command have it at once.
      if (command.owner === 'reads') await r.lock.release();
      else ctx.lock = r.lock;
      try {
        return await command.run(ctx);
      } finally {
        await r.lock.release();
      }
    }
    const h = r.holder;
    if (h.role === 'cli') {
      if (command.owner === 'reads') return command.run(ctx);
      const lock = await acquireOwnerLock(home, { role: 'cli', command: command.name }, { onWait: waiting });
      ctx.lock = lock;
      try {
        return await command.run(ctx);
      } finally {
        await lock.release();
      }
    }
    if (h.role === 'keeper' && command.owner === 'displaces') {
      await displace(home, h);
      continue;
    }
    if (!command.viaOwner) {
      throw new AppError(
        'INVALID_INPUT',
        `${describeOwner(h)} keeps the mirror: ${command.name} would act behind its back; quit it (drpc down stops the background keeper) first`,
      );
    }
    if (changesSettings) {
      throw new AppError(
        'INVALID_INPUT',
        `${describeOwner(h)} keeps the mirror with the settings it has: change them there, or stop it first`,
      );
    }
    let toldBusy = false;
    const call: OwnerCaller = (name, input, onEvent) =>
      callOwner(home, name, input, {
        ...(onEvent ? { onEvent: (e) => onEvent(e.event, e.payload) } : {}),
        onBusy: (message) => {
          if (!toldBusy) ctx.io.err(`waiting: ${message}`);
          toldBusy = true;
        },
      });
    if (!ctx.json) ctx.io.err(`sent to ${describeOwner(h)}`);
    try {
      return await command.viaOwner(ctx, call);
    } catch (err) {
      if (!(err instanceof OwnerUnreachableError)) throw err;
      throw new AppError(
        'INTERNAL',
        `${describeOwner(h)} holds the lock in ${home} but does not answer on its socket (${err.message}): stop it (kill ${h.pid}) and try again`,
      );
    }
  }
}
