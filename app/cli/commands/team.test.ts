// `drpc team manifests` as a user runs it, with no Docker engine: it prints, changes no setting, and bad
// values are refused in the user's words with exit code 2 and nothing on stdout.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../testbed/helpers.js';
import { defaultMirrorSettings } from '../../mirror/settings.js';
import { jsonFileStore } from '../../settings/json-file.js';
import { loadMirrorSettings, saveMirrorSettings } from '../../settings/mirror-settings-store.js';
import { runCli } from '../run.js';

async function drpc(env: Record<string, string>, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const home = tempDir('drpc-team-home-');
  const code = await runCli(argv, {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    env: { DRPC_HOME: home, HOME: home, DOCKER_HOST: `unix://${join(home, 'no-docker.sock')}`, ...env },
  });
  return { code, home, out: out.join('\n'), err: err.join('\n') };
}

describe('drpc team manifests', () => {
  it('prints the Kubernetes objects with the values given, and saves no setting', async () => {
    const r = await drpc(
      {},
      'team',
      'manifests',
      '--host',
      'mirror.corp.example',
      '--bucket',
      'corp-mirror',
      '--replicas',
      '3',
      '--namespace',
      'mirror',
      '--upstream',
      'https://registry-1.docker.io',
      '--image',
      'registry:3.1.1',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe('');
    const docs = parseAllDocuments(r.out, { version: '1.1' }).map((d) => d.toJS());
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'Namespace/mirror',
      'ConfigMap/registry-mirror-config',
      'Deployment/registry-mirror-redis',
      'Service/registry-mirror-redis',
      'NetworkPolicy/registry-mirror-redis',
      'Deployment/registry-mirror',
      'Service/registry-mirror',
      'Service/registry-mirror-metrics',
      'PodDisruptionBudget/registry-mirror',
    ]);
    const deployment = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'registry-mirror');
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.template.spec.containers[0].image).toBe('registry:3.1.1');
    expect(r.out).toContain(
      'Rendered by: drpc team manifests --host mirror.corp.example --replicas 3 --namespace mirror --bucket corp-mirror --image registry:3.1.1',
    );
    // --upstream and --image are this command's own values here, not the local mirror's settings.
    expect(existsSync(join(r.home, 'settings.json'))).toBe(false);
  });

  it('prints the compose file, and --json gives the same documents as data', async () => {
    const compose = await drpc({}, 'team', 'manifests', '--format', 'compose', '--storage', 'pvc');
    expect(compose.code, compose.err).toBe(0);
    const [doc] = parseAllDocuments(compose.out, { version: '1.1' }).map((d) => d.toJS());
    expect(Object.keys(doc.services)).toEqual(['registry', 'redis']);
    const json = await drpc({}, 'team', 'manifests', '--format', 'compose', '--storage', 'pvc', '--json');
    expect(JSON.parse(json.out)).toEqual({ format: 'compose', documents: [doc] });
  });

  it('never prints a credential, even when the environment holds one', async () => {
    const secret = 'hunter2-upstream-token';
    const r = await drpc(
      { DRPC_UPSTREAM_USERNAME: 'someone', DRPC_UPSTREAM_PASSWORD: secret },
      'team',
      'manifests',
      '--bucket',
      'corp-mirror',
      '--upstream-secret',
      'hub-account',
    );
    expect(r.code).toBe(0);
    expect(r.out).not.toContain(secret);
    expect(r.out).toContain('name: hub-account');
  });

  it.each([
    [['--replicas', '0'], '--replicas must be between 2 and 50 (got 0)'],
    [['--replicas', 'many'], '--replicas takes a whole number (got "many")'],
    [['--host', 'https://mirror.example.com'], '--host must be a DNS name like mirror.example.com'],
    [['--host', 'mirror_1.example.com'], '--host must be a DNS name'],
    [['--host', '10.1.2.3'], '--host must be a DNS name'],
    [
      ['--bucket', 'My_Bucket'],
      '--bucket "My_Bucket" is not a valid S3 bucket name: it may use only lowercase',
    ],
    [['--bucket', 'ab'], 'it is 2 characters long; S3 allows 3 to 63'],
    [['--bucket', '192.168.5.4'], 'must not be shaped like an IP address'],
    [['--bucket', 'my..bucket'], 'must not have two dots in a row'],
    [['--bucket', 'bucket-'], 'must begin and end with a letter or digit'],
    [['--bucket', 'xn--bucket'], 'must not begin with "xn--"'],
    [['--upstream', 'http://registry-1.docker.io'], '--upstream must be an https:// URL'],
    [['--storage', 'nfs'], '--storage must be s3 or pvc (got "nfs")'],
    [['--format', 'helm'], '--format must be k8s or compose (got "helm")'],
    [['--tls-secret', 'TLS_Secret'], '--tls-secret must be the name of a Kubernetes Secret'],
    [['--endpoint', 'minio:9000'], '--endpoint must be the URL of an S3-compatible service'],
    [['--redis', 'redis'], '--redis must be HOST:PORT of a Redis server'],
    [['--no-auth', '--upstream-secret', 'hub'], '--no-auth is refused with --upstream-secret'],
    [['--format', 'compose', '--namespace', 'x'], '--namespace applies to --format k8s only'],
    [['--storage', 'pvc', '--region', 'eu-west-1'], '--region applies to --storage s3 only'],
    [['--port', '5001'], 'drpc team does not take --port'],
  ])('refuses %j with exit code 2, a message and nothing on stdout', async (flags, message) => {
    const bucket = flags.includes('--bucket') || flags.includes('--storage') ? [] : ['--bucket', 'ok-bucket'];
    const r = await drpc({}, 'team', 'manifests', ...bucket, ...flags);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.startsWith(`drpc: `)).toBe(true);
    expect(r.err).toContain(message);
    expect(r.err.split('\n')).toHaveLength(1);
  });

  it('asks for a bucket with S3 storage, and for the subcommand', async () => {
    const noBucket = await drpc({}, 'team', 'manifests');
    expect(noBucket.code).toBe(2);
    expect(noBucket.err).toBe(
      'drpc: --bucket is needed with --storage s3: the bucket the mirror keeps its cache in (or --storage pvc for a ReadWriteMany volume)',
    );
    const bare = await drpc({}, 'team');
    expect(bare.code).toBe(2);
    expect(bare.err).toBe('drpc: drpc team needs a subcommand: drpc team manifests [options]');
    const json = await drpc({}, 'team', 'manifests', '--replicas', '0', '--storage', 'pvc', '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.out).error).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('leaves saved settings alone when --upstream is a team value', async () => {
    const home = tempDir('drpc-team-home-');
    const env = { DRPC_HOME: home, HOME: home };
    const store = jsonFileStore(join(home, 'settings.json'));
    await saveMirrorSettings(store, { ...defaultMirrorSettings(env), upstreamUrl: 'http://localhost:5999' });
    const before = readFileSync(join(home, 'settings.json'), 'utf8');
    const io = { out: () => {}, err: () => {}, env };
    expect(await runCli(['team', 'manifests', '--storage', 'pvc', '--upstream', 'https://ghcr.io'], io)).toBe(
      0,
    );
    expect(readFileSync(join(home, 'settings.json'), 'utf8')).toBe(before);
    expect((await loadMirrorSettings(store, env)).upstreamUrl).toBe('http://localhost:5999');
  });
});
