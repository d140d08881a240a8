import { describe, expect, it } from 'vitest';
import { checkEntries } from './entries.js';

describe('mirror entries', () => {
  it('splits each mirror into what the formats need', () => {
    expect(
      checkEntries([
        { registry: 'docker.io', mirrorUrl: 'HTTP://LocalHost:5000/' },
        { registry: 'registry.example.com:8443', mirrorUrl: 'https://mirror.example' },
      ]),
    ).toEqual([
      {
        registry: 'docker.io',
        mirrorUrl: 'http://localhost:5000',
        mirrorHost: 'localhost:5000',
        plainHttp: true,
      },
      {
        registry: 'registry.example.com:8443',
        mirrorUrl: 'https://mirror.example',
        mirrorHost: 'mirror.example',
        plainHttp: false,
      },
    ]);
  });

  it('refuses what is not a registry host, a mirror that is not the root of an http(s) host, duplicates and nothing', () => {
    const m = 'http://localhost:5000';
    for (const registry of ['Docker.io', '../etc', 'a b', '', 'x/y', 'docker.io:port', '-a.io'])
      expect(() => checkEntries([{ registry, mirrorUrl: m }]), registry).toThrow(
        /is not a registry host name/,
      );
    expect(() => checkEntries([{ registry: 'docker.io', mirrorUrl: 'localhost:5000' }])).toThrow(
      /http or https/,
    );
    expect(() => checkEntries([{ registry: 'docker.io', mirrorUrl: 'not a url' }])).toThrow(/is not a URL/);
    for (const mirrorUrl of ['http://h:1/v2', 'http://u:p@h:1', 'http://h:1/?x=1'])
      expect(() => checkEntries([{ registry: 'docker.io', mirrorUrl }]), mirrorUrl).toThrow(
        /the root of a host/,
      );
    expect(() =>
      checkEntries([
        { registry: 'docker.io', mirrorUrl: m },
        { registry: 'docker.io', mirrorUrl: 'http://localhost:5001' },
      ]),
    ).toThrow(/docker\.io is given twice/);
    expect(() => checkEntries([])).toThrow(/no registry given/);
  });

  it('refuses loopback mirrors for cluster nodes, which are containers', () => {
    for (const mirrorUrl of [
      'http://localhost:5000',
      'http://127.0.0.1:5000',
      'http://[::1]:5000',
      'http://0.0.0.0:5000',
    ])
      expect(
        () => checkEntries([{ registry: 'docker.io', mirrorUrl }], { forNodes: 'kind' }),
        mirrorUrl,
      ).toThrow(/kind nodes are containers: .* means the node itself/);
    expect(
      checkEntries([{ registry: 'docker.io', mirrorUrl: 'http://host.docker.internal:5000' }], {
        forNodes: 'kind',
      }),
    ).toHaveLength(1);
  });
});
