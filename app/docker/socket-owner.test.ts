// Finding the dockerd behind an endpoint through /proc, on the test bed's own dockerd (its socket, its
// TLS port, its --config-file and --pidfile), and refusing what is not a dockerd.
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readPid } from '../../testbed/dockerd.js';
import { describeWithEngineControl, tempDir, testbed } from '../../testbed/helpers.js';
import { paths } from '../../testbed/layout.js';
import { endpointFromUrl } from './connection.js';
import { DOCKERD_DEFAULTS, dockerdFiles, localDockerd } from './socket-owner.js';

describe('dockerd command line', () => {
  it('reads --config-file and --pidfile in both spellings, else the defaults', () => {
    expect(dockerdFiles(['--host', 'unix:///x.sock'])).toEqual(DOCKERD_DEFAULTS);
    expect(dockerdFiles(['--config-file=/a/daemon.json', '-p', '/b/d.pid'])).toEqual({
      configFile: '/a/daemon.json',
      pidFile: '/b/d.pid',
    });
    expect(dockerdFiles(['--config-file', '/a', '--pidfile=/c'])).toEqual({
      configFile: '/a',
      pidFile: '/c',
    });
  });
});

describe('the process behind an endpoint', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  it('is not a dockerd when something else listens, and nothing when nobody does', async () => {
    const sock = join(tempDir('drpc-sock-'), 'docker.sock');
    expect(await localDockerd(endpointFromUrl(`unix://${sock}`))).toBeUndefined();
    server = createServer();
    await new Promise<void>((r) => server!.listen(sock, r));
    expect(await localDockerd(endpointFromUrl(`unix://${sock}`))).toBeUndefined();
    expect(await localDockerd(endpointFromUrl('tcp://203.0.113.1:2375'))).toBeUndefined();
  });
});

describeWithEngineControl(
  'the test bed dockerd found through /proc',
  () => {
    it('behind its unix socket and its loopback tcp port, with its own daemon.json and pidfile', async () => {
      const expected = { pid: readPid(), configFile: testbed().daemonJson, pidFile: paths.pidfile };
      expect(await localDockerd(endpointFromUrl(testbed().dockerHost))).toEqual(expected);
      expect(await localDockerd(endpointFromUrl(testbed().tlsHost))).toEqual(expected);
    });
  },
  'reads the test bed dockerd from /proc',
);
