// A benchmark's own mirror on the test bed: the app's defaults, a free loopback port, a fresh data dir,
// the stand-in Docker Hub as its upstream, on the test bed's network.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultMirrorSettings, type MirrorSettings } from '../app/mirror/settings.js';
import { freeLoopbackPort } from '../testbed/upstream.js';

export async function benchMirrorSettings(
  tb: { upstreamUrl: string; network: string },
  containerName: string,
  dataDirPrefix: string,
): Promise<MirrorSettings> {
  return {
    ...defaultMirrorSettings(),
    port: await freeLoopbackPort(),
    dataDir: mkdtempSync(join(tmpdir(), `${dataDirPrefix}-`)),
    containerName,
    upstreamUrl: tb.upstreamUrl,
    network: tb.network,
  };
}
