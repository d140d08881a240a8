// colima.yaml edits keep everything else: comments, order, flow lists, quoting.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { addColimaMirror, colimaMirrors, removeColimaMirror } from './colima-yaml.js';

/** Shaped like the file Colima writes on first start: commented keys, `docker: {}`, flow lists. */
const COLIMA_YAML = `# Number of CPUs for the VM.
# Default: 2
cpu: 2

# Disk size in GiB.
disk: 100
memory: 2
arch: host
runtime: docker
hostname: null

# Kubernetes in the VM.
kubernetes:
  # Turn it on.
  enabled: false
  version: v1.31.2+k3s1
  k3sArgs: [--disable=traefik]

network:
  address: false
  dns: []
  dnsHosts:
    host.docker.internal: host.lima.internal

# Docker daemon configuration, as in daemon.json.
#
# EXAMPLE - insecure registries
# docker:
#   insecure-registries:
#     - myregistry.com:5000
#
# Default: {}
docker: {}

vmType: qemu
mountType: sshfs
provision: []
diskImage: ""
env: {}
`;

const URL = 'http://localhost:5000';

describe('colima.yaml: docker.registry-mirrors', () => {
  it('adds the mirror under docker: and changes no other line', () => {
    const r = addColimaMirror(COLIMA_YAML, URL);
    expect(r).toMatchObject({ changed: true, mirrors: [URL] });
    const before = COLIMA_YAML.split('\n');
    const after = r.text.split('\n');
    const at = before.indexOf('docker: {}');
    expect(after.slice(0, at)).toEqual(before.slice(0, at));
    expect(after.slice(at, at + 3)).toEqual(['docker:', '  registry-mirrors:', `    - ${URL}`]);
    expect(after.slice(at + 3)).toEqual(before.slice(at + 1));
    expect(parse(r.text).docker).toEqual({ 'registry-mirrors': [URL] });
    expect(colimaMirrors(r.text)).toEqual([URL]);
  });

  it('is idempotent, recognises an equivalent URL, and appends to an existing list', () => {
    const once = addColimaMirror(COLIMA_YAML, URL).text;
    expect(addColimaMirror(once, 'HTTP://LOCALHOST:5000/')).toEqual({
      text: once,
      changed: false,
      mirrors: [URL],
    });
    const two = addColimaMirror(once, 'http://localhost:5001');
    expect(parse(two.text).docker['registry-mirrors']).toEqual([URL, 'http://localhost:5001']);
  });

  it('keeps a flow-style docker map in flow style', () => {
    const r = addColimaMirror('docker: {features: {buildkit: true}}\n', URL);
    expect(r.text).toBe(`docker: {features: {buildkit: true}, registry-mirrors: [${URL}]}\n`);
  });

  it('fills a `docker:` with no value and creates the key in a file without it', () => {
    expect(parse(addColimaMirror('cpu: 2\ndocker:\n', URL).text)).toEqual({
      cpu: 2,
      docker: { 'registry-mirrors': [URL] },
    });
    expect(addColimaMirror('cpu: 2 # two\n', URL).text).toBe(
      `cpu: 2 # two\ndocker:\n  registry-mirrors:\n    - ${URL}\n`,
    );
  });

  it('removes only our entry, and turns an emptied docker map back into {}', () => {
    const once = addColimaMirror(COLIMA_YAML, URL).text;
    expect(removeColimaMirror(once, URL, { dropEmptyKey: true })).toEqual({
      text: COLIMA_YAML,
      changed: true,
    });
    const shared = addColimaMirror(addColimaMirror(COLIMA_YAML, 'https://mirror.gcr.io').text, URL).text;
    const r = removeColimaMirror(shared, URL, { dropEmptyKey: true });
    expect(parse(r.text).docker).toEqual({ 'registry-mirrors': ['https://mirror.gcr.io'] });
    expect(removeColimaMirror(COLIMA_YAML, URL, { dropEmptyKey: true })).toEqual({
      text: COLIMA_YAML,
      changed: false,
    });
  });

  it.each([
    ['not YAML', 'cpu: [2\n', /not valid YAML \(line \d+, column \d+\)/],
    ['a list at the top', '- cpu\n', /top level is not a mapping/],
    ['docker as a string', 'docker: yes please\n', /docker: is not a mapping/],
    ['registry-mirrors as a string', 'docker:\n  registry-mirrors: http://x\n', /is not a list/],
    ['a mirror that is not a string', 'docker:\n  registry-mirrors: [{a: 1}]\n', /not a URL/],
  ])('refuses %s with a clear error', (_, text, why) => {
    expect(() => addColimaMirror(text, URL, '/home/me/.colima/default/colima.yaml')).toThrow(why);
    expect(() => addColimaMirror(text, URL)).toThrow(/left as it is/);
  });
});
