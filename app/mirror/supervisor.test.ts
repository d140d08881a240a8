// Engine faults on the real test bed: the mirror removed behind our back, and dockerd killed -9.
// How long detection and recovery took is printed for docs/reliability.md, not asserted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killDockerd, startDockerd } from '../../testbed/dockerd.js';
import { needsEngineControl, testDocker, testMirrorSettings } from '../../testbed/helpers.js';
import { startUpstream } from '../../testbed/upstream.js';
import { Mirror } from './mirror.js';
import { StatusMonitor } from './monitor.js';
import type { MirrorSettings } from './settings.js';
import type { MirrorStatus } from './status.js';
import { Supervisor, type Recovery } from './supervisor.js';

function recovered(supervisor: Supervisor, ms: number): Promise<Recovery> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no recovery within ${ms} ms`)), ms);
    supervisor.once('recovered', (r) => {
      clearTimeout(t);
      resolve(r);
    });
  });
}

async function stateIs(monitor: StatusMonitor, want: MirrorStatus['state'], ms: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if ((await monitor.refresh()).state === want) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not ${want} within ${ms} ms (last: ${monitor.current?.state})`);
}

describe('supervisor', () => {
  const docker = testDocker();
  let settings: MirrorSettings;
  let monitor: StatusMonitor;
  let supervisor: Supervisor;
  /** a start that fails once, as one racing a removal does (409 "removal in progress") */
  let failNextStart = false;

  beforeAll(async () => {
    settings = await testMirrorSettings('drpc-sup');
    const mirror = new Mirror({ docker, settings });
    await mirror.up();
    monitor = new StatusMonitor(docker, mirror, 1000);
    supervisor = new Supervisor(monitor, {
      recreate: true,
      mirror: () =>
        failNextStart
          ? {
              up: async () => {
                failNextStart = false;
                throw new Error('removal of container drpc-sup is already in progress');
              },
            }
          : new Mirror({ docker, settings }),
      backoffMs: 200,
    });
    monitor.start();
    supervisor.start();
    await stateIs(monitor, 'running', 60_000);
  });
  afterAll(async () => {
    supervisor.stop();
    monitor.stop();
    await new Mirror({ docker, settings }).remove().catch(() => {});
  });

  it('recreates the mirror when it is removed behind our back', async () => {
    const recovery = recovered(supervisor, 60_000);
    await docker.getContainer(settings.containerName).remove({ force: true });
    const r = await recovery;
    // The monitor may see the kill (stopped) before the removal (not-created): either way it is recreated.
    expect(r.action).toBe('recreated');
    expect(['stopped', 'not-created']).toContain(r.from);
    console.log(`removed behind our back: recreated in ${r.ms} ms`);
    await stateIs(monitor, 'running', 60_000);
  });

  it('tries again after a failed start, though the status has not changed since', async () => {
    // The monitor tells only changes: after the failed start it still says `stopped`, and says nothing.
    const failures: Error[] = [];
    const onFailed = (err: Error) => failures.push(err);
    supervisor.on('failed', onFailed);
    try {
      failNextStart = true;
      const recovery = recovered(supervisor, 45_000);
      await docker.getContainer(settings.containerName).stop({ t: 1 });
      const r = await recovery;
      expect(failures.map((e) => e.message)).toEqual([
        'removal of container drpc-sup is already in progress',
      ]);
      expect(r).toMatchObject({ action: 'started', from: 'stopped' });
      await stateIs(monitor, 'running', 60_000);
    } finally {
      supervisor.off('failed', onFailed);
    }
  });

  it('sees dockerd die, and brings the mirror back when it returns', async (ctx) => {
    needsEngineControl(ctx);
    await killDockerd();
    let detect: number;
    let recovery: Promise<Recovery>;
    try {
      detect = await stateIs(monitor, 'engine-unreachable', 60_000);
      recovery = recovered(supervisor, 90_000);
    } finally {
      // Whatever happened, the engine comes back: every later file needs it.
      await startDockerd();
    }
    const back = Date.now();
    // Docker Hub did not go anywhere: only the stand-in for it needs starting again with the engine.
    await startUpstream(docker);
    // After a crash the engine leaves containers exited whatever their restart policy: we start it.
    const r = await recovery;
    expect(r).toMatchObject({ action: 'started', from: 'stopped' });
    await stateIs(monitor, 'running', 60_000);
    console.log(
      `dockerd killed: detected in ${detect} ms; serving again ${Date.now() - back} ms after dockerd started`,
    );
  });

  it('leaves a mirror the user stopped alone', async () => {
    supervisor.wanted = 'stopped';
    await new Mirror({ docker, settings }).down();
    const stopped = await stateIs(monitor, 'stopped', 60_000).then(() => monitor.current!);
    // The monitor told the supervisor of the stop (it listens to every status); this is the same call,
    // awaited to its end: with the mirror wanted it would start it (the first test), here it does not.
    let recoveries = 0;
    supervisor.once('recovered', () => recoveries++);
    await supervisor.consider(stopped);
    expect(recoveries).toBe(0);
    expect((await monitor.refresh()).state).toBe('stopped');
    expect((await new Mirror({ docker, settings }).inspect())?.State.Running).toBe(false);
  });
});
