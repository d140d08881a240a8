import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  buildRegistryConfig,
  configPathFor,
  registryMajorOf,
  renderRegistryConfig,
} from './registry-config.js';
import { defaultMirrorSettings, type MirrorSettings } from './settings.js';

const settings: MirrorSettings = {
  ...defaultMirrorSettings({ DRPC_HOME: '/tmp/x' }),
  upstreamUrl: 'http://up:5000',
};

describe('registry config', () => {
  it('reads the major version from the image CMD first, then the tag', () => {
    expect(registryMajorOf('registry:2', ['/etc/docker/registry/config.yml'])).toBe(2);
    expect(registryMajorOf('mirror.example/registry:custom', ['/etc/distribution/config.yml'])).toBe(3);
    expect(registryMajorOf('registry:2.8.3')).toBe(2);
    expect(registryMajorOf('registry:3.0.0')).toBe(3);
    expect(registryMajorOf('registry')).toBe(3);
    expect(registryMajorOf('localhost:5000/registry:2@sha256:' + 'a'.repeat(64))).toBe(2);
    expect(configPathFor(2)).toBe('/etc/docker/registry/config.yml');
    expect(configPathFor(3)).toBe('/etc/distribution/config.yml');
  });

  it('writes a proxy config that round-trips through YAML, with ttl only for 3.x', () => {
    const two = parse(renderRegistryConfig(settings, 2));
    expect(two.proxy).toEqual({ remoteurl: 'http://up:5000' });
    expect(two.storage.delete).toBeUndefined();
    expect(two.log.formatter).toBe('json');
    expect(two.http.addr).toBe(':5000');
    const three = parse(renderRegistryConfig(settings, 3));
    expect(three.proxy).toEqual({ remoteurl: 'http://up:5000', ttl: 0 });
    expect(three.http.debug.prometheus.enabled).toBe(true);
  });

  it('serves the same storage read-only and without a proxy section offline', () => {
    const off = parse(renderRegistryConfig(settings, 2, 'offline'));
    expect(off.proxy).toBeUndefined();
    expect(off.storage.maintenance.readonly.enabled).toBe(true);
    expect(off.storage.filesystem.rootdirectory).toBe('/var/lib/registry');
  });

  it('never puts credentials in the file', () => {
    const doc = JSON.stringify(buildRegistryConfig(settings, 2));
    expect(doc).not.toMatch(/username|password/);
  });
});
