import { describe, expect, it } from 'vitest';
import { containerSpec, matchesSpec } from './container-spec.js';
import { renderRegistryConfig } from './registry-config.js';
import { defaultMirrorSettings, type MirrorSettings } from './settings.js';

const s: MirrorSettings = defaultMirrorSettings({ DRPC_HOME: '/srv/drpc' });
const spec = (x: MirrorSettings, creds?: { username: string; password: string }) =>
  containerSpec(x, 2, renderRegistryConfig(x, 2), creds);

describe('containerSpec', () => {
  it('changes its hash with everything that needs a new container, and only with that', () => {
    const base = spec(s).hash;
    expect(spec({ ...s }).hash).toBe(base);
    for (const change of [
      { port: 5001 },
      { bindAddress: '0.0.0.0' },
      { upstreamUrl: 'https://mirror.gcr.io' },
      { image: 'registry:2.8.3' },
      { dataDir: '/srv/other' },
      { network: 'kind' },
      { restartPolicy: 'always' as const },
    ]) {
      expect(spec({ ...s, ...change }).hash, JSON.stringify(change)).not.toBe(base);
    }
    // Credentials are compared through the container's environment, never hashed into a readable label.
    expect(spec(s, { username: 'u', password: 'p' }).hash).toBe(base);
  });

  it('passes credentials only as environment variables', () => {
    const sp = spec(s, { username: 'alice', password: 's3cret' });
    expect(sp.create.Env).toEqual(['REGISTRY_PROXY_USERNAME=alice', 'REGISTRY_PROXY_PASSWORD=s3cret']);
    expect(JSON.stringify(sp.create.Labels)).not.toContain('s3cret');
  });

  it('matches a live container by hash and secret environment', () => {
    const sp = spec(s, { username: 'alice', password: 'one' });
    const live = { Config: { Labels: sp.create.Labels, Env: ['PATH=/bin', ...sp.create.Env!] } } as never;
    expect(matchesSpec(live, sp)).toBe(true);
    expect(matchesSpec(live, spec(s, { username: 'alice', password: 'two' }))).toBe(false);
    expect(matchesSpec(live, spec(s))).toBe(false);
    expect(matchesSpec(live, spec({ ...s, port: 6000 }, { username: 'alice', password: 'one' }))).toBe(false);
  });
});
