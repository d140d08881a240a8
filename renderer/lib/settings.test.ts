// The settings form's logic for "Bring the mirror back if it is removed": absent reads as on, and only
// a real change goes to settings.update (as mirror.autoRecreate), its issue shown next to the checkbox.
import { describe, expect, it } from 'vitest';
import type { AppSettings } from '../../app/settings/app-settings.js';
import { changeOf, draftOf, fieldErrorsOf } from './settings.js';

function saved(autoRecreate?: boolean): AppSettings {
  return {
    version: 3,
    mirror: {
      port: 5000,
      bindAddress: '127.0.0.1',
      upstreamUrl: 'https://registry-1.docker.io',
      image: 'registry:2',
      dataDir: '/data',
      containerName: 'docker-registry-proxy-cache',
      network: null,
      restartPolicy: 'unless-stopped',
      ...(autoRecreate === undefined ? {} : { autoRecreate }),
    },
    app: {
      startAtLogin: false,
      startMirrorOnLaunch: false,
      quotaBytes: null,
      enginesConfigured: [],
      quitStopsMirror: false,
    },
  };
}

describe('autoRecreate in the settings form', () => {
  it('reads an absent setting as on, as the core does', () => {
    expect(draftOf(saved()).autoRecreate).toBe(true);
    expect(draftOf(saved(true)).autoRecreate).toBe(true);
    expect(draftOf(saved(false)).autoRecreate).toBe(false);
  });

  it('sends only a real change', () => {
    expect(changeOf(draftOf(saved()), saved())).toEqual({ change: {} });
    expect(changeOf({ ...draftOf(saved()), autoRecreate: true }, saved())).toEqual({ change: {} });
    expect(changeOf({ ...draftOf(saved()), autoRecreate: false }, saved())).toEqual({
      change: { mirror: { autoRecreate: false } },
    });
    expect(changeOf({ ...draftOf(saved(false)), autoRecreate: true }, saved(false))).toEqual({
      change: { mirror: { autoRecreate: true } },
    });
  });

  it("puts the core's issue next to the checkbox", () => {
    expect(
      fieldErrorsOf({
        code: 'INVALID_INPUT',
        message: 'x',
        issues: [{ path: 'mirror.autoRecreate', message: 'expected boolean' }],
      }),
    ).toEqual({ fields: { autoRecreate: 'Expected boolean.' } });
  });
});

describe('the upstream CA in the settings form', () => {
  it('reads none as empty, sends a path typed, empty as null, and nothing when unchanged', () => {
    expect(draftOf(saved()).upstreamCaFile).toBe('');
    expect(changeOf({ ...draftOf(saved()), upstreamCaFile: '  ' }, saved())).toEqual({ change: {} });
    expect(changeOf({ ...draftOf(saved()), upstreamCaFile: ' /Users/me/ca.pem ' }, saved())).toEqual({
      change: { mirror: { upstreamCaFile: '/Users/me/ca.pem' } },
    });
    const withCa = { ...saved(), mirror: { ...saved().mirror, upstreamCaFile: '/Users/me/ca.pem' } };
    expect(changeOf(draftOf(withCa), withCa)).toEqual({ change: {} });
    expect(changeOf({ ...draftOf(withCa), upstreamCaFile: '' }, withCa)).toEqual({
      change: { mirror: { upstreamCaFile: null } },
    });
  });

  it("puts the core's refusal of a relative path next to the field", () => {
    expect(
      fieldErrorsOf({
        code: 'INVALID_INPUT',
        message: 'x',
        issues: [
          {
            path: 'mirror.upstreamCaFile',
            message: 'upstream CA must be an absolute path to a PEM file',
          },
        ],
      }),
    ).toEqual({ fields: { upstreamCaFile: 'Upstream CA must be an absolute path to a PEM file.' } });
  });
});
