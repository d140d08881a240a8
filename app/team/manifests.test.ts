// A team mirror's manifests as a cluster and Distribution would read them: every Kubernetes object
// against Kubernetes' schemas (kubernetes-models, unknown fields included), config.yml against the keys
// Distribution 3.1.1 reads and the product's own 3.x config, the wiring between objects (ports, labels,
// mounts, Secrets), the compose file's structure, YAML 1.1 readings, and deploy/ against the renderer.
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DISTRIBUTION_3_KEYS, envNamesKey, unknownKeys } from '../../testbed/distribution3-keys.js';
import { k8sSchemaProblems } from '../../testbed/k8s-schema.js';
import { runs } from '../../testbed/property.js';
import { buildRegistryConfig } from '../mirror/registry-config.js';
import { defaultMirrorSettings } from '../mirror/settings.js';
import { COMPOSE_FILES, composeDocument } from './compose.js';
import { K8S_FILES, kubernetesObjects, type K8sObject } from './kubernetes.js';
import { bucketNameProblem, teamOptions, type TeamInput } from './options.js';
import { renderTeam } from './render.js';

/** Option sets: the defaults (a bucket is the one value without one) and varied ones. */
const K8S_CASES: Record<string, TeamInput> = {
  defaults: { bucket: 'team-mirror-cache' },
  's3-compatible endpoint, upstream account, 5 replicas': {
    host: 'mirror.corp.example',
    bucket: 'mirror.cache-01',
    region: 'eu-central-1',
    endpoint: 'https://minio.storage.svc:9000',
    upstreamSecret: 'hub-account',
    replicas: '5',
    namespace: 'platform-mirror',
    serviceType: 'NodePort',
  },
  'shared volume, storage class, external redis': {
    storage: 'pvc',
    size: '1Ti',
    storageClass: 'efs-sc',
    redis: 'redis.cache.svc.cluster.local:6379',
    tlsSecret: 'mirror-cert',
    authSecret: 'mirror-users',
    serviceType: 'ClusterIP',
  },
  'no authentication, another upstream': {
    storage: 'pvc',
    noAuth: true,
    upstream: 'https://ghcr.io',
    image: 'registry:3.1.1',
  },
};

const objectsOf = (input: TeamInput) => kubernetesObjects(teamOptions(input));
const byKind = (objs: K8sObject[], kind: string, name?: string) =>
  objs.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));

type Container = {
  name: string;
  ports: { name: string; containerPort: number }[];
  env?: { name: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[];
  volumeMounts: { name: string; mountPath: string }[];
  readinessProbe: { httpGet?: { path: string; port: string; scheme: string } };
  livenessProbe: { httpGet?: unknown; tcpSocket?: { port: string } };
};
type PodSpec = {
  containers: Container[];
  volumes: { name: string; secret?: { secretName: string }; configMap?: { name: string } }[];
};
const deploymentParts = (d: K8sObject) => {
  const spec = d.spec as {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
  return { spec, pod: spec.template.spec, container: spec.template.spec.containers[0]! };
};
const registryDeployment = (objs: K8sObject[]) => byKind(objs, 'Deployment', 'registry-mirror')[0]!;
const configOf = (objs: K8sObject[]) =>
  parse((byKind(objs, 'ConfigMap')[0]!.data as Record<string, string>)['config.yml']!, {
    version: '1.1',
  }) as Record<string, Record<string, unknown>>;

describe("Kubernetes objects against Kubernetes' schemas", () => {
  it.each(Object.entries(K8S_CASES))(
    '%s: every object is valid, with no field the schema lacks',
    (_, input) => {
      const objs = objectsOf(input);
      expect(objs.length).toBeGreaterThanOrEqual(6);
      for (const obj of objs) expect(k8sSchemaProblems(obj), `${obj.kind} ${obj.metadata.name}`).toEqual([]);
    },
  );

  it('the check refuses what the API server refuses: a wrong type, a missing field, a misspelt one', () => {
    const good = registryDeployment(objectsOf(K8S_CASES.defaults!));
    const copy = () => JSON.parse(JSON.stringify(good)) as K8sObject & { spec: Record<string, unknown> };
    const wrongType = copy();
    wrongType.spec.replicas = 'two';
    expect(k8sSchemaProblems(wrongType)).toEqual(['data/spec/replicas must be integer']);
    const missing = copy();
    delete missing.spec.selector;
    expect(k8sSchemaProblems(missing)).toEqual(['data/spec must have required property selector']);
    const misspelt = copy();
    const c = deploymentParts(misspelt).container as unknown as Record<string, unknown>;
    c.readinessprobe = c.readinessProbe;
    delete c.readinessProbe;
    expect(k8sSchemaProblems(misspelt)).toEqual([
      'spec.template.spec.containers[0].readinessprobe is not a field the schema knows',
    ]);
    expect(k8sSchemaProblems({ apiVersion: 'example.com/v1', kind: 'Widget' })).toEqual([
      'no schema here for example.com/v1 Widget',
    ]);
  });

  it('the printed YAML reads back as the same objects in YAML 1.1, as Kubernetes reads it', () => {
    for (const input of Object.values(K8S_CASES)) {
      const rendered = renderTeam(teamOptions(input));
      const docs = parseAllDocuments(rendered.text, { version: '1.1' }).map((d) => d.toJS());
      expect(docs).toEqual(rendered.documents);
    }
    // A bare `no` would be the boolean false in YAML 1.1: Redis's --appendonly value stays a string.
    expect(renderTeam(teamOptions(K8S_CASES.defaults!)).text).toContain('- "no"');
  });
});

describe('the objects fit together', () => {
  it.each(Object.entries(K8S_CASES))(
    '%s: selectors, ports, probes, mounts and Secrets line up',
    (_, input) => {
      const o = teamOptions(input);
      const objs = kubernetesObjects(o);
      for (const obj of objs)
        if (obj.kind !== 'Namespace') expect(obj.metadata.namespace, obj.kind).toBe(o.namespace);
      const { spec, pod, container } = deploymentParts(registryDeployment(objs));
      expect(spec.replicas).toBe(o.replicas);
      expect(spec.template.metadata.labels).toMatchObject(spec.selector.matchLabels);
      const portNames = container.ports.map((p) => p.name);
      // Readiness: the debug server's health (storage reachable); liveness: the TLS port accepts.
      expect(container.readinessProbe.httpGet).toEqual({
        path: '/debug/health',
        port: 'debug',
        scheme: 'HTTP',
      });
      expect(container.livenessProbe).toMatchObject({ tcpSocket: { port: 'https' } });
      expect(container.livenessProbe.httpGet).toBeUndefined();
      expect(container.ports.find((p) => p.name === 'debug')!.containerPort).toBe(5001);
      expect(container.ports.find((p) => p.name === 'https')!.containerPort).toBe(5000);
      for (const svc of byKind(objs, 'Service')) {
        const s = svc.spec as { selector: Record<string, string>; ports: { targetPort: string }[] };
        const target = objs.find(
          (d) =>
            d.kind === 'Deployment' &&
            Object.entries(s.selector).every(
              ([k, v]) => deploymentParts(d).spec.template.metadata.labels[k] === v,
            ),
        );
        expect(target, svc.metadata.name).toBeDefined();
        const names = deploymentParts(target!).container.ports.map((p) => p.name);
        for (const p of s.ports) expect(names, svc.metadata.name).toContain(p.targetPort);
      }
      // The public Service publishes the TLS port alone, never the debug port (expvar, pprof, metrics).
      expect(
        (byKind(objs, 'Service', 'registry-mirror')[0]!.spec as { ports: { targetPort: string }[] }).ports,
      ).toEqual([expect.objectContaining({ port: 443, targetPort: 'https' })]);
      expect(portNames).toEqual(['https', 'debug']);
      const pdb = byKind(objs, 'PodDisruptionBudget')[0]!.spec as { selector: { matchLabels: unknown } };
      expect(pdb.selector.matchLabels).toEqual(spec.selector.matchLabels);

      // Every file config.yml names lies in a volume from the right Secret.
      const config = configOf(objs);
      const mountOf = (file: string) => {
        const m = container.volumeMounts.find((v) => file.startsWith(`${v.mountPath}/`));
        return m && pod.volumes.find((v) => v.name === m.name);
      };
      const tls = config.http!.tls as { certificate: string; key: string };
      expect(mountOf(tls.certificate)?.secret?.secretName).toBe(o.tlsSecret);
      expect(mountOf(tls.key)?.secret?.secretName).toBe(o.tlsSecret);
      expect(mountOf('/etc/distribution/config.yml')?.configMap?.name).toBe('registry-mirror-config');
      if (o.authSecret) {
        const htpasswd = (config.auth!.htpasswd as { path: string }).path;
        expect(mountOf(htpasswd)?.secret?.secretName).toBe(o.authSecret);
      } else expect(config.auth).toBeUndefined();
      if (o.storage === 'pvc') {
        const root = (config.storage!.filesystem as { rootdirectory: string }).rootdirectory;
        expect(container.volumeMounts.find((v) => v.mountPath === root)?.name).toBe('data');
        const pvc = byKind(objs, 'PersistentVolumeClaim')[0]!.spec as { accessModes: string[] };
        expect(pvc.accessModes).toEqual(['ReadWriteMany']);
      }

      // Secrets by name only: each variable comes from a secretKeyRef, and each one names a config key.
      const fromSecrets = (container.env ?? []).filter((e) => e.valueFrom);
      for (const e of fromSecrets) expect(envNamesKey(e.name), e.name).toBe(true);
      const refs = fromSecrets.map(
        (e) => `${e.name}=${e.valueFrom!.secretKeyRef.name}/${e.valueFrom!.secretKeyRef.key}`,
      );
      expect(refs).toEqual([
        ...(o.upstreamSecret
          ? [
              `REGISTRY_PROXY_USERNAME=${o.upstreamSecret}/username`,
              `REGISTRY_PROXY_PASSWORD=${o.upstreamSecret}/password`,
            ]
          : []),
        ...(o.storage === 's3'
          ? [
              `REGISTRY_STORAGE_S3_ACCESSKEY=${o.s3Secret}/accesskey`,
              `REGISTRY_STORAGE_S3_SECRETKEY=${o.s3Secret}/secretkey`,
            ]
          : []),
      ]);

      // Redis: deployed beside the registry unless an address was given; config.yml names the one used.
      const redis = config.redis as { addrs: string[] };
      if (o.redis) {
        expect(byKind(objs, 'Deployment')).toHaveLength(1);
        expect(redis.addrs).toEqual([o.redis]);
      } else {
        const svc = byKind(objs, 'Service', 'registry-mirror-redis')[0]!;
        expect(redis.addrs).toEqual([`${svc.metadata.name}:6379`]);
        const args = deploymentParts(byKind(objs, 'Deployment', 'registry-mirror-redis')[0]!)
          .container as unknown as {
          args: string[];
        };
        expect(args.args.join(' ')).toContain('--maxmemory-policy allkeys-lru');
      }
    },
  );

  it('a changed config.yml changes the pod template, so the Deployment rolls', () => {
    const annotation = (input: TeamInput) =>
      (
        registryDeployment(objectsOf(input)).spec as {
          template: { metadata: { annotations: Record<string, string> } };
        }
      ).template.metadata.annotations['checksum/config'];
    expect(annotation({ bucket: 'one-bucket' })).toMatch(/^[0-9a-f]{64}$/);
    expect(annotation({ bucket: 'one-bucket' })).toBe(annotation({ bucket: 'one-bucket' }));
    expect(annotation({ bucket: 'one-bucket' })).not.toBe(annotation({ bucket: 'another-bucket' }));
  });
});

describe('config.yml, as Distribution 3.x reads it', () => {
  const configs = Object.entries(K8S_CASES).map(
    ([name, input]) => [name, configOf(objectsOf(input))] as const,
  );

  it.each(configs)('%s: only keys Distribution 3.1.1 reads, one storage driver', (_, config) => {
    expect(unknownKeys(config)).toEqual([]);
    const drivers = Object.keys(config.storage!).filter(
      (k) => !['cache', 'redirect', 'delete', 'tag', 'maintenance'].includes(k),
    );
    expect(drivers).toHaveLength(1);
    // 3.x's redis section is go-redis' UniversalOptions: `addrs` (a list), not 2.8's `addr` and `pool`.
    expect(Array.isArray((config.redis as { addrs: unknown }).addrs)).toBe(true);
    expect(config.storage!.cache).toEqual({ blobdescriptor: 'redis' });
    // No secret in the file: they come from the environment and mounted files.
    expect(JSON.stringify(config)).not.toMatch(/accesskey|secretkey|password|username/);
  });

  it('the key check catches a misspelt key and 2.8-only keys', () => {
    expect(
      unknownKeys({ http: { debug: { prometheus: { enable: true } } }, redis: { addr: 'r:6379', pool: {} } }),
    ).toEqual(['http.debug.prometheus.enable', 'redis.addr', 'redis.pool']);
    expect(envNamesKey('REGISTRY_PROXY_PASSWORD')).toBe(true);
    expect(envNamesKey('REGISTRY_PROXY_PASSWROD')).toBe(false);
    expect(Object.keys(DISTRIBUTION_3_KEYS)).toContain('proxy');
  });

  it("agrees with the product's own registry 3 config where a mirror is a mirror", () => {
    const own = buildRegistryConfig(defaultMirrorSettings({}), 3) as Record<string, Record<string, unknown>>;
    expect(unknownKeys(own)).toEqual([]);
    for (const [, config] of configs) {
      expect(config.version).toBe(own.version);
      expect(config.http!.addr).toBe(own.http!.addr);
      expect(config.http!.debug).toEqual(own.http!.debug);
      expect((config.log as { formatter: string }).formatter).toBe(
        (own.log as { formatter: string }).formatter,
      );
      expect(config.health).toEqual(own.health);
      // Expiry off, as in the product: 3.x's scheduler would run in every replica over one store.
      expect((config.proxy as { ttl: unknown }).ttl).toBe((own.proxy as { ttl: unknown }).ttl);
    }
  });

  it('S3: a custom endpoint gets path-style addressing, AWS S3 gets neither', () => {
    const custom = configOf(objectsOf(K8S_CASES['s3-compatible endpoint, upstream account, 5 replicas']!));
    expect(custom.storage!.s3).toMatchObject({
      bucket: 'mirror.cache-01',
      region: 'eu-central-1',
      regionendpoint: 'https://minio.storage.svc:9000',
      forcepathstyle: true,
    });
    const aws = configOf(objectsOf(K8S_CASES.defaults!)).storage!.s3 as Record<string, unknown>;
    expect(aws.regionendpoint).toBeUndefined();
    expect(aws.forcepathstyle).toBeUndefined();
    expect(configOf(objectsOf(K8S_CASES.defaults!)).storage!.redirect).toEqual({ disable: true });
  });

  it('the mounted file paths are the ones each format mounts', () => {
    expect(K8S_FILES.tlsCertificate.startsWith('/certs/')).toBe(true);
    expect(COMPOSE_FILES.htpasswd.startsWith('/run/secrets/')).toBe(true);
  });
});

describe('the compose file', () => {
  type Service = Record<string, unknown> & {
    environment: Record<string, string>;
    secrets: string[];
    configs: { source: string; target: string }[];
  };

  it.each([
    ['S3 bucket', { format: 'compose', bucket: 'team-mirror-cache', host: 'mirror.corp.example' }],
    ['local volume, no authentication', { format: 'compose', storage: 'pvc', noAuth: true }],
    ['external redis', { format: 'compose', storage: 'pvc', redis: '10.0.0.7:6379' }],
  ] as [string, TeamInput][])(
    '%s: one registry and its pieces, secrets from outside the file',
    (_, input) => {
      const o = teamOptions(input);
      const doc = composeDocument(o) as {
        services: Record<string, Service>;
        configs: Record<string, { content: string }>;
        secrets: Record<string, { file: string }>;
        volumes?: Record<string, unknown>;
      };
      const rendered = renderTeam(o);
      expect(parseAllDocuments(rendered.text, { version: '1.1' }).map((d) => d.toJS())).toEqual([doc]);
      // Only keys of the compose specification, at the top and in each service.
      const TOP = ['name', 'services', 'configs', 'secrets', 'volumes', 'networks'];
      const SERVICE = [
        'image',
        'restart',
        'ports',
        'environment',
        'configs',
        'secrets',
        'volumes',
        'healthcheck',
        'depends_on',
        'command',
      ];
      expect(Object.keys(doc).filter((k) => !TOP.includes(k))).toEqual([]);
      for (const s of Object.values(doc.services))
        expect(Object.keys(s).filter((k) => !SERVICE.includes(k))).toEqual([]);

      const registry = doc.services.registry!;
      const config = parse(doc.configs.registry_config!.content, { version: '1.1' }) as Record<
        string,
        Record<string, unknown>
      >;
      expect(unknownKeys(config)).toEqual([]);
      expect(registry.configs).toEqual([
        { source: 'registry_config', target: '/etc/distribution/config.yml' },
      ]);
      // Each secret the service mounts is declared from a file, and config.yml reads it where compose puts it.
      for (const s of registry.secrets) expect(doc.secrets[s]?.file, s).toMatch(/^\.\/secrets\//);
      const tls = config.http!.tls as { certificate: string; key: string };
      expect(registry.secrets.map((s) => `/run/secrets/${s}`)).toEqual(
        expect.arrayContaining([tls.certificate, tls.key]),
      );
      if (o.authSecret === null) {
        expect(config.auth).toBeUndefined();
        expect(registry.secrets).not.toContain('htpasswd');
      } else expect(registry.secrets).toContain('htpasswd');
      // Credentials are interpolated from .env or the shell at `docker compose up`, never written here.
      for (const [k, v] of Object.entries(registry.environment))
        if (k !== 'OTEL_TRACES_EXPORTER') {
          expect(envNamesKey(k), k).toBe(true);
          expect(v).toMatch(new RegExp(`^\\$\\{${k}:[-?]`));
        }
      expect(registry.ports).toEqual(['443:5000', '127.0.0.1:5001:5001']);
      if (o.redis) {
        expect(doc.services.redis).toBeUndefined();
        expect(registry.depends_on).toBeUndefined();
      } else {
        expect(registry.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
        expect((config.redis as { addrs: string[] }).addrs).toEqual(['redis:6379']);
      }
      if (o.storage === 'pvc') {
        expect(registry.volumes).toEqual(['registry-data:/var/lib/registry']);
        expect(doc.volumes).toEqual({ 'registry-data': {} });
      }
    },
  );
});

describe('deploy/', () => {
  const root = join(import.meta.dirname, '..', '..', 'deploy');
  const files = ['kubernetes', 'compose'].flatMap((d) =>
    readdirSync(join(root, d)).map((f) => join(root, d, f)),
  );

  it.each(files.map((f) => [f.slice(root.length + 1), f]))(
    '%s is what the command in its header prints',
    (_, file) => {
      const text = readFileSync(file, 'utf8');
      const line = /^# Rendered by: drpc team manifests(.*)$/m.exec(text);
      expect(line, 'header names the command').not.toBeNull();
      const args = line![1]!.trim().split(/\s+/).filter(Boolean);
      const input: TeamInput = {};
      for (let i = 0; i < args.length; i++) {
        const flag = args[i]!.replace(/^--/, '');
        if (flag === 'no-auth') input.noAuth = true;
        else {
          const key = flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase()) as keyof TeamInput;
          (input as Record<string, string>)[key] = args[++i]!;
        }
      }
      expect(text).toBe(`${renderTeam(teamOptions(input)).text.trimEnd()}\n`);
    },
  );
});

describe('any values the command accepts', () => {
  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
  const input = fc.record(
    {
      format: fc.constantFrom('k8s', 'compose'),
      host: fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => `${ls.join('.')}.example`),
      replicas: fc.integer({ min: 2, max: 50 }).map(String),
      namespace: label,
      storage: fc.constantFrom('s3', 'pvc'),
      bucket: fc.stringMatching(/^[a-z0-9][a-z0-9.-]{1,40}[a-z0-9]$/),
      endpoint: fc.option(fc.constantFrom('https://minio.example:9000', 'http://10.0.0.9:9000'), {
        nil: undefined,
      }),
      upstreamSecret: fc.option(label, { nil: undefined }),
      noAuth: fc.boolean(),
      redis: fc.option(fc.constantFrom('redis.example:6379', '10.1.2.3:6380'), { nil: undefined }),
    },
    { requiredKeys: ['format', 'storage'] },
  );

  it('renders valid objects and known config keys, or refuses in one line', () => {
    fc.assert(
      fc.property(input, (raw) => {
        const given: TeamInput = { ...raw };
        // Keep to each format's and storage's own flags; everything else is what a user might type.
        if (given.format === 'compose')
          for (const k of ['replicas', 'namespace', 'upstreamSecret'] as const) delete given[k];
        if (given.storage === 'pvc') for (const k of ['bucket', 'endpoint'] as const) delete given[k];
        if (!given.noAuth) delete given.noAuth;
        let o;
        try {
          o = teamOptions(given);
        } catch (err) {
          // Refused: a bad bucket, or --no-auth with upstream credentials, said in one line.
          expect((err as { code?: string }).code).toBe('INVALID_INPUT');
          expect((err as Error).message).not.toContain('\n');
          return;
        }
        if (o.bucket) expect(bucketNameProblem(o.bucket)).toBeNull();
        expect(o.authSecret === null && o.upstreamSecret !== undefined).toBe(false);
        const rendered = renderTeam(o);
        if (o.format === 'k8s') {
          for (const obj of rendered.documents as K8sObject[]) expect(k8sSchemaProblems(obj)).toEqual([]);
          expect(unknownKeys(configOf(rendered.documents as K8sObject[]))).toEqual([]);
        } else {
          const doc = rendered.documents[0] as { configs: { registry_config: { content: string } } };
          expect(unknownKeys(parse(doc.configs.registry_config.content, { version: '1.1' }))).toEqual([]);
        }
        expect(parseAllDocuments(rendered.text, { version: '1.1' }).map((d) => d.toJS())).toEqual(
          rendered.documents,
        );
      }),
      runs(60),
    );
  });
});
