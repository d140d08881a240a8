// npm run ui [-- --testbed] [--port N] [--home DIR]: the UI in a browser, against the real core.
// Builds the renderer (and rebuilds on change: reload the page), starts the bridge and prints its URL.
// With --testbed it uses the running test bed (npm run testbed -- up): its engine, its stand-in Docker
// Hub on its network, its dockerd as the engine to configure. Without, DOCKER_HOST or the default engine.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { build } from 'vite';
import { probeUpstream } from '../../app/mirror/upstream-probe.js';
import { defaultPaths } from '../../app/settings/paths.js';
import { readPid } from '../../testbed/dockerd.js';
import { testbedState } from '../ui/testbed.js';
import { startBridge, type BridgeOptions } from './server.js';

const { values } = parseArgs({
  options: {
    testbed: { type: 'boolean', default: false },
    port: { type: 'string', default: '0' },
    home: { type: 'string' },
  },
});

const root = fileURLToPath(new URL('../../', import.meta.url));
const rendererDir = mkdtempSync(join(tmpdir(), 'drpc-ui-'));
const watcher = await build({
  configFile: join(root, 'vite.renderer.config.ts'),
  build: { outDir: rendererDir, watch: {} },
});
// The first build has to be there before the page is served.
if ('on' in watcher) {
  await new Promise<void>((resolve, reject) =>
    watcher.on('event', (e) =>
      e.code === 'END' ? resolve() : e.code === 'ERROR' ? reject(e.error) : undefined,
    ),
  );
}

let options: BridgeOptions = {
  home: values.home ?? defaultPaths().configDir,
  env: process.env,
  rendererDir,
  port: Number(values.port),
  log: console,
};
if (values.testbed) {
  const tb = (() => {
    try {
      return testbedState();
    } catch {
      throw new Error('the test bed is not running: npm run testbed -- up');
    }
  })();
  options = {
    ...options,
    home: values.home ?? mkdtempSync(join(tmpdir(), 'drpc-ui-home-')),
    env: { ...process.env, DOCKER_HOST: tb.dockerHost },
    mirror: { upstreamUrl: tb.upstreamUrl, network: tb.network, containerName: 'drpc-ui-dev', port: 5055 },
    detect: () => ({
      platform: 'linux',
      linux: { configFile: tb.daemonJson, pid: readPid(), probe: new Docker({ socketPath: tb.socketPath }) },
    }),
    probeUpstream: (url) => probeUpstream(url === tb.upstreamUrl ? tb.upstreamHostUrl : url),
  };
}
const bridge = await startBridge(options);
console.log(`the UI: ${bridge.url}  (settings and state in ${options.home})`);
