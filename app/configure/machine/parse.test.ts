import { describe, expect, it } from 'vitest';
import { hostOfUrl, parseEnv, parseLs } from './parse.js';

describe('docker-machine output', () => {
  it('parses `ls --format` lines, keeping a stopped machine (no URL) and an error text with tabs', () => {
    const out =
      'default\tRunning\ttcp://192.168.99.100:2376\tvirtualbox\tv19.03.12\t\n' +
      'old\tStopped\t\tvirtualbox\tUnknown\t\n' +
      'broken\tError\t\tnot found\tUnknown\tUnexpected EOF\twhile reading\n';
    expect(parseLs(out)).toEqual([
      {
        name: 'default',
        state: 'Running',
        url: 'tcp://192.168.99.100:2376',
        driver: 'virtualbox',
        dockerVersion: 'v19.03.12',
        error: '',
      },
      { name: 'old', state: 'Stopped', url: '', driver: 'virtualbox', dockerVersion: 'Unknown', error: '' },
      {
        name: 'broken',
        state: 'Error',
        url: '',
        driver: 'not found',
        dockerVersion: 'Unknown',
        error: 'Unexpected EOF\twhile reading',
      },
    ]);
    expect(parseLs('')).toEqual([]);
  });

  it('parses `env` in bash format and skips the # hint lines', () => {
    const out = [
      'export DOCKER_TLS_VERIFY="1"',
      'export DOCKER_HOST="tcp://192.168.99.101:2376"',
      'export DOCKER_CERT_PATH="/Users/me/.docker/machine/machines/giropops"',
      'export DOCKER_MACHINE_NAME="giropops"',
      '# Run this command to configure your shell: ',
      '# eval $(docker-machine env giropops)',
      '',
    ].join('\n');
    expect(parseEnv(out)).toEqual({
      DOCKER_TLS_VERIFY: '1',
      DOCKER_HOST: 'tcp://192.168.99.101:2376',
      DOCKER_CERT_PATH: '/Users/me/.docker/machine/machines/giropops',
      DOCKER_MACHINE_NAME: 'giropops',
    });
    // Through a pty every line ends in \r\n.
    expect(parseEnv(out.replaceAll('\n', '\r\n')).DOCKER_HOST).toBe('tcp://192.168.99.101:2376');
  });

  it('takes the host out of a machine URL', () => {
    expect(hostOfUrl('tcp://192.168.99.100:2376')).toBe('192.168.99.100');
    expect(hostOfUrl('tcp://[fd00::1]:2376')).toBe('fd00::1');
    expect(hostOfUrl('')).toBeUndefined();
  });
});
