// Offline by choice (`drpc up --offline`, a metered hotspot) stays offline: the keeper does not switch it
// back while the upstream answers; the same keeper without the choice does. Driven round by round on an
// injected clock, against the real test bed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testbed, testDocker, testMirrorSettings } from '../../testbed/helpers.js';
import { LABELS } from '../mirror/container-spec.js';
import { MirrorKeeper } from '../mirror/keeper.js';
import { Mirror } from '../mirror/mirror.js';
import type { MirrorMode } from '../mirror/registry-config.js';
import type { MirrorSettings } from '../mirror/settings.js';
import { probeUpstream } from '../mirror/upstream-probe.js';

describe('a mode the user chose', () => {
  const docker = testDocker();
  let settings: MirrorSettings;
  const mirrorFor = (mode: MirrorMode) => new Mirror({ docker, settings, mode });
  const label = async () => (await mirrorFor('proxy').inspect())?.Config.Labels?.[LABELS.mode];

  beforeAll(async () => {
    settings = await testMirrorSettings('drpc-chosen');
  });
  afterAll(async () => {
    await mirrorFor('proxy')
      .remove()
      .catch(() => {});
  });

  /** Rounds of probing with the upstream answering, a minute apart on the keeper's clock. */
  async function rounds(chosenMode?: MirrorMode): Promise<string | undefined> {
    let clock = Date.now();
    const keeper = new MirrorKeeper({
      docker,
      mirrorFor,
      probe: () => probeUpstream(testbed().upstreamHostUrl, 2000),
      recreate: true,
      wanted: 'running',
      now: () => clock,
      ...(chosenMode ? { chosenMode } : {}),
    });
    for (let i = 0; i < 6; i++) {
      await keeper.monitor.refresh();
      await keeper.tick();
      clock += 60_000;
    }
    await keeper.stop();
    return label();
  }

  it('stays offline while the upstream answers; without the choice the keeper goes back to proxy', async () => {
    await mirrorFor('offline').up();
    expect(await rounds('offline')).toBe('offline');
    expect(await rounds()).toBe('proxy');
  });
});
