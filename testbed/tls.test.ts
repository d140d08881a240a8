// The test bed's dockerd also listens on loopback TCP with mutual TLS (like a docker-machine VM's engine).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import Docker from 'dockerode';
import { testbed, describeWithEngineControl } from './helpers.js';

describeWithEngineControl(
  'test bed TLS endpoint',
  () => {
    const { tlsHost, tlsCertDir } = testbed();
    const port = Number(new URL(tlsHost.replace(/^tcp:/, 'https:')).port);
    const pem = (f: string) => readFileSync(join(tlsCertDir, f));

    it('answers a client with the test bed certificate, verified against the test bed CA', async () => {
      const docker = new Docker({
        host: '127.0.0.1',
        port,
        protocol: 'https',
        ca: pem('ca.pem'),
        cert: pem('cert.pem'),
        key: pem('key.pem'),
      });
      expect((await docker.version()).ApiVersion).toMatch(/^1\.\d+$/);
    });

    it('refuses a client without a certificate (--tlsverify)', async () => {
      const docker = new Docker({ host: '127.0.0.1', port, protocol: 'https', ca: pem('ca.pem') });
      await expect(docker.version()).rejects.toThrow();
    });
  },
  "uses the TLS listener of the test bed's own dockerd",
);
