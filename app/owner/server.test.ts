// The owner's socket between two ends of this process: the contract's schemas on both sides, progress
// streamed before the answer, BUSY waited out, owner-only permissions, and the handover of the lock.
// The handlers stand in for the core's services (the server only dispatches to them).
import { EventEmitter } from 'node:events';
import { statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ShellError } from '../contract/envelope.js';
import type { CacheProgress } from '../contract/values.js';
import type { MirrorStatus } from '../mirror/status.js';
import type { Handlers } from '../service/types.js';
import { askHandover, callOwner, OwnerCallError } from './client.js';
import { readOwner, tryAcquire } from './lock.js';
import { ownerSocketPath, type OwnerCall } from './protocol.js';
import { startOwnerServer } from './server.js';

const STATUS: MirrorStatus = {
  state: 'running',
  message: 'offline: serving 2 cached repositories without the upstream',
  mirrorUrl: 'http://localhost:5000',
  engine: { endpoint: 'unix:///var/run/docker.sock', reachable: true },
  mode: 'offline',
  cachedRepositories: 2,
  checkedAt: new Date(0).toISOString(),
};

function unexpected(): never {
  throw new Error('not called in this test');
}

async function owner(overrides: Partial<Pick<Handlers, OwnerCall>> = {}, onHandover?: () => Promise<void>) {
  const home = await mkdtemp(join(tmpdir(), 'drpc-srv-'));
  const { lock } = await tryAcquire(home, { role: 'app' });
  const bus = new EventEmitter<{ progress: [CacheProgress] }>();
  const calls: string[] = [];
  const handlers: Pick<Handlers, OwnerCall> = {
    'mirror.status': async () => (calls.push('status'), STATUS),
    'mirror.up': unexpected,
    'mirror.down': unexpected,
    'mirror.restart': unexpected,
    'cache.plan': unexpected,
    'cache.prune': async () => (calls.push('prune'), unexpected()),
    'cache.reset': unexpected,
    ...overrides,
  };
  const server = await startOwnerServer({
    home,
    handlers,
    lock: lock!,
    subscribe: (send) => {
      const f = (p: CacheProgress) => send('cache.progress', p);
      bus.on('progress', f);
      return () => bus.off('progress', f);
    },
    ...(onHandover ? { onHandover } : {}),
  });
  return { home, server, bus, calls, lock: lock! };
}

describe('owner socket', () => {
  it('answers a call through the contract, on a socket only its user can reach', async () => {
    const { home, server, calls } = await owner();
    try {
      expect(await callOwner(home, 'mirror.status', undefined)).toEqual(STATUS);
      expect(calls).toEqual(['status']);
      expect(server.path).toBe(join(home, 'run', 'owner.sock'));
      expect(statSync(server.path).isSocket()).toBe(true);
      expect(statSync(server.path).mode & 0o777).toBe(0o600);
      expect(statSync(join(home, 'run')).mode & 0o777).toBe(0o700);
    } finally {
      await server.close();
    }
  });

  it('refuses input the contract refuses, without calling the handler', async () => {
    const { home, server, calls } = await owner();
    try {
      const err = await callOwner(home, 'cache.prune', { planId: 'not-a-plan' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OwnerCallError);
      expect((err as OwnerCallError).code).toBe('INVALID_INPUT');
      expect((err as OwnerCallError).message).toMatch(/planId/);
      expect(calls).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("streams the owner's progress before its answer", async () => {
    const box: { bus?: EventEmitter<{ progress: [CacheProgress] }> } = {};
    const o = await owner({
      'cache.reset': async () => {
        box.bus!.emit('progress', {
          operation: 'reset',
          step: 'stopping',
          fraction: 0.1,
          message: 'Stopping the mirror',
        });
        box.bus!.emit('progress', {
          operation: 'reset',
          step: 'done',
          fraction: 1,
          message: 'The cache is empty',
        });
        return { freedBytes: 10, repositoriesRemoved: 1, status: STATUS };
      },
    });
    box.bus = o.bus;
    try {
      const seen: string[] = [];
      const result = await callOwner(
        o.home,
        'cache.reset',
        { confirmation: 'delete the cache' },
        { onEvent: (e) => seen.push(`${e.event}:${(e.payload as CacheProgress).step}`) },
      );
      expect(seen).toEqual(['cache.progress:stopping', 'cache.progress:done']);
      expect(result.repositoriesRemoved).toBe(1);
    } finally {
      await o.server.close();
    }
  });

  it('waits while the owner is busy with another operation, then runs', async () => {
    let busy = 2;
    const o = await owner({
      'mirror.down': async () => {
        if (busy-- > 0) throw new ShellError('BUSY', 'the mirror is busy (prune): try again when it is done');
        return { stopped: true };
      },
    });
    try {
      const told: string[] = [];
      expect(await callOwner(o.home, 'mirror.down', undefined, { onBusy: (m) => told.push(m) })).toEqual({
        stopped: true,
      });
      expect(told).toEqual(['the mirror is busy (prune): try again when it is done']);
    } finally {
      await o.server.close();
    }
  });

  it('hands over: stops keeping, then lets go of the lock; an owner that does not hand over says so', async () => {
    const stopped: string[] = [];
    const keeper = await owner({}, async () => void stopped.push('keeping stopped'));
    try {
      expect((await readOwner(keeper.home))?.pid).toBe(process.pid);
      await askHandover(keeper.home);
      expect(stopped).toEqual(['keeping stopped']);
      expect(await readOwner(keeper.home)).toBeUndefined();
      expect((await tryAcquire(keeper.home, { role: 'app' })).lock).toBeDefined();
    } finally {
      await keeper.server.close();
    }
    const app = await owner();
    try {
      const err = await askHandover(app.home).catch((e: unknown) => e);
      expect((err as OwnerCallError).callError.code).toBe('FORBIDDEN');
      expect(await app.lock.held()).toBe(true);
    } finally {
      await app.server.close();
    }
  });

  it('listens in a private temp directory when the home is too deep for a unix socket path', async () => {
    const deep = join(await mkdtemp(join(tmpdir(), 'drpc-srv-')), 'x'.repeat(60), 'y'.repeat(40));
    const path = ownerSocketPath(deep);
    expect(path.startsWith(tmpdir())).toBe(true);
    expect(Buffer.byteLength(path)).toBeLessThanOrEqual(100);
    const { lock } = await tryAcquire(deep, { role: 'watch' });
    const server = await startOwnerServer({
      home: deep,
      lock: lock!,
      handlers: {
        'mirror.status': async () => STATUS,
        'mirror.up': unexpected,
        'mirror.down': unexpected,
        'mirror.restart': unexpected,
        'cache.plan': unexpected,
        'cache.prune': unexpected,
        'cache.reset': unexpected,
      },
    });
    try {
      expect((await callOwner(deep, 'mirror.status', undefined)).state).toBe('running');
      expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
    } finally {
      await server.close();
      await lock!.release();
    }
  });
});
