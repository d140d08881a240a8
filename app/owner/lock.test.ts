// The owner lock with real processes: one holder at a time, a dead or reused PID is stale, waiting ends
// when the holder lets go or dies, and many processes racing for it get exactly one winner each round.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  acquireOwnerLock,
  isLive,
  lockPath,
  processStartTime,
  readOwner,
  tryAcquire,
  type OwnerRecord,
} from './lock.js';

const home = () => mkdtemp(join(tmpdir(), 'drpc-lock-'));

/** A child process that lives until killed. */
async function sleeper(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await once(child, 'spawn');
  return child;
}

function recordOf(pid: number, startTime: string): OwnerRecord {
  return { pid, startTime, role: 'cli', command: 'prune', since: new Date().toISOString() };
}

describe('owner lock', () => {
  it('has one holder; the next one is told who holds it, and takes it once released', async () => {
    const dir = await home();
    const first = await tryAcquire(dir, { role: 'watch' });
    expect(first.lock).toBeDefined();
    const second = await tryAcquire(dir, { role: 'cli', command: 'prune' });
    expect(second.holder).toMatchObject({ pid: process.pid, role: 'watch' });
    expect((await readOwner(dir))?.role).toBe('watch');
    await first.lock!.release();
    expect(await readOwner(dir)).toBeUndefined();
    const third = await tryAcquire(dir, { role: 'cli', command: 'prune' });
    expect(third.lock?.record).toMatchObject({ role: 'cli', command: 'prune' });
    await third.lock!.release();
  });

  it('takes over a lock whose process died (a crash leaves the file behind)', async () => {
    const dir = await home();
    const child = await sleeper();
    const pid = child.pid!;
    writeFileSync(lockPath(dir), JSON.stringify(recordOf(pid, processStartTime(pid)!)));
    expect((await tryAcquire(dir, { role: 'cli' })).holder?.pid).toBe(pid);
    child.kill('SIGKILL');
    await once(child, 'exit');
    const r = await tryAcquire(dir, { role: 'cli' });
    expect(r.lock?.record.pid).toBe(process.pid);
    await r.lock!.release();
  });

  it('takes over a lock whose PID now belongs to another process (started at another time)', async () => {
    const dir = await home();
    const child = await sleeper();
    try {
      const reused = recordOf(child.pid!, 'a start time that is not this process');
      expect(isLive(reused)).toBe(false);
      writeFileSync(lockPath(dir), JSON.stringify(reused));
      const r = await tryAcquire(dir, { role: 'app' });
      expect(r.lock?.record.role).toBe('app');
      expect(JSON.parse(readFileSync(lockPath(dir), 'utf8')).pid).toBe(process.pid);
      await r.lock!.release();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('treats a lock file it cannot read as stale rather than waiting for ever', async () => {
    const dir = await home();
    writeFileSync(lockPath(dir), '{"pid": 12');
    const r = await tryAcquire(dir, { role: 'cli' });
    expect(r.lock).toBeDefined();
    await r.lock!.release();
  });

  it('waits while a live holder has it, says so once, and goes on when the holder dies', async () => {
    const dir = await home();
    const child = await sleeper();
    writeFileSync(lockPath(dir), JSON.stringify(recordOf(child.pid!, processStartTime(child.pid!)!)));
    const told: OwnerRecord[] = [];
    const waiting = acquireOwnerLock(
      dir,
      { role: 'cli', command: 'reset' },
      { onWait: (h) => told.push(h), pollMs: 50 },
    );
    await expect.poll(() => told.length).toBe(1);
    child.kill('SIGKILL');
    const lock = await waiting;
    expect(told).toEqual([expect.objectContaining({ pid: child.pid, command: 'prune' })]);
    expect(lock.record.command).toBe('reset');
    await lock.release();
  });

  it('gives exactly one of many racing processes the lock', async () => {
    const dir = await home();
    const racer = `
      const { tryAcquire } = await import(${JSON.stringify(new URL('./lock.ts', import.meta.url).href)});
      const r = await tryAcquire(process.argv[1], { role: 'cli' });
      process.stdout.write(r.lock ? 'won' : 'lost');
      if (r.lock) setTimeout(() => {}, 3000);
    `;
    const children = Array.from({ length: 6 }, () =>
      spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', racer, dir], {
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
    const outputs = await Promise.all(
      children.map(async (c) => {
        let out = '';
        c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
        await expect.poll(() => out, { timeout: 60_000 }).toMatch(/won|lost/);
        return out;
      }),
    );
    for (const c of children) c.kill('SIGKILL');
    expect(outputs.filter((o) => o === 'won')).toHaveLength(1);
  });
});
