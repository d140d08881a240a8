// The Kubernetes objects of a team mirror: Distribution 3.x replicas behind a Service, a disruption
// budget, the config as a ConfigMap, Redis for the shared blob-descriptor cache, and storage on S3 or a
// ReadWriteMany volume. Secrets are referenced by name only; their values never pass through drpc.
import { createHash } from 'node:crypto';
import { APP_NAME, type TeamOptions } from './options.js';
import {
  buildTeamRegistryConfig,
  DEBUG_PORT,
  REDIS_PORT,
  REGISTRY_PORT,
  type MountedFiles,
} from './registry-config.js';
import { toYaml } from './yaml.js';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export const REDIS_IMAGE = 'redis:7-alpine';
/** Redis keeps at most this much (allkeys-lru evicts the rest): descriptors are small, a few hundred bytes each. */
export const REDIS_MAXMEMORY_MB = 256;

export const K8S_FILES: MountedFiles = {
  tlsCertificate: '/certs/tls.crt',
  tlsKey: '/certs/tls.key',
  htpasswd: '/auth/htpasswd',
  dataDir: '/var/lib/registry',
};

const REDIS_NAME = `${APP_NAME}-redis`;

function labels(component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': APP_NAME,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': APP_NAME,
    'app.kubernetes.io/managed-by': 'drpc',
  };
}

function selector(component: string): Record<string, string> {
  return { 'app.kubernetes.io/name': APP_NAME, 'app.kubernetes.io/component': component };
}

/** The config.yml text the ConfigMap holds. */
export function k8sRegistryConfigText(o: TeamOptions): string {
  return toYaml(buildTeamRegistryConfig(o, K8S_FILES));
}

const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

function secretEnv(name: string, secret: string, key: string) {
  return { name, valueFrom: { secretKeyRef: { name: secret, key } } };
}

function registryDeployment(o: TeamOptions, configText: string): K8sObject {
  const env: unknown[] = [{ name: 'OTEL_TRACES_EXPORTER', value: 'none' }];
  if (o.upstreamSecret)
    env.push(
      secretEnv('REGISTRY_PROXY_USERNAME', o.upstreamSecret, 'username'),
      secretEnv('REGISTRY_PROXY_PASSWORD', o.upstreamSecret, 'password'),
    );
  if (o.storage === 's3')
    env.push(
      secretEnv('REGISTRY_STORAGE_S3_ACCESSKEY', o.s3Secret, 'accesskey'),
      secretEnv('REGISTRY_STORAGE_S3_SECRETKEY', o.s3Secret, 'secretkey'),
    );
  const volumes: unknown[] = [
    { name: 'config', configMap: { name: `${APP_NAME}-config` } },
    { name: 'tls', secret: { secretName: o.tlsSecret } },
    { name: 'tmp', emptyDir: {} },
  ];
  const mounts: unknown[] = [
    { name: 'config', mountPath: '/etc/distribution', readOnly: true },
    { name: 'tls', mountPath: '/certs', readOnly: true },
    { name: 'tmp', mountPath: '/tmp' },
  ];
  if (o.authSecret) {
    volumes.push({ name: 'auth', secret: { secretName: o.authSecret } });
    mounts.push({ name: 'auth', mountPath: '/auth', readOnly: true });
  }
  if (o.storage === 'pvc') {
    volumes.push({ name: 'data', persistentVolumeClaim: { claimName: `${APP_NAME}-data` } });
    mounts.push({ name: 'data', mountPath: K8S_FILES.dataDir });
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: APP_NAME, namespace: o.namespace, labels: labels('registry') },
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: selector('registry') },
      // A new pod is ready before an old one goes: the mirror keeps its capacity through a rollout.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: {
          labels: labels('registry'),
          annotations: {
            // A changed config.yml rolls the pods (a ConfigMap change alone does not).
            'checksum/config': createHash('sha256').update(configText).digest('hex'),
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(DEBUG_PORT),
            'prometheus.io/path': '/metrics',
          },
        },
        spec: {
          // Service links would put REGISTRY_MIRROR_* variables in the environment, and the registry
          // reads every REGISTRY_* variable as configuration.
          enableServiceLinks: false,
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 30,
          securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: selector('registry') },
            },
          ],
          containers: [
            {
              name: 'registry',
              image: o.image,
              ports: [
                { name: 'https', containerPort: REGISTRY_PORT, protocol: 'TCP' },
                { name: 'debug', containerPort: DEBUG_PORT, protocol: 'TCP' },
              ],
              env,
              volumeMounts: mounts,
              // Ready while its storage answers (the debug server's health checks). Alive while the
              // serving port accepts connections: not an HTTP check there, since the registry answers
              // every request on it with 503 while a health check fails (health.Handler wraps even
              // `/`), and a storage outage must take replicas out of the Service without restarting
              // them (a restart would not bring S3 back). Seen on the 3.1.1 binary (registry3-serve.test.ts).
              readinessProbe: {
                httpGet: { path: '/debug/health', port: 'debug', scheme: 'HTTP' },
                periodSeconds: 10,
                timeoutSeconds: 3,
                failureThreshold: 3,
              },
              livenessProbe: {
                tcpSocket: { port: 'https' },
                initialDelaySeconds: 10,
                periodSeconds: 20,
                timeoutSeconds: 5,
                failureThreshold: 3,
              },
              resources: {
                requests: { cpu: '250m', memory: '256Mi' },
                limits: { cpu: '2', memory: '1Gi' },
              },
              securityContext: RESTRICTED_CONTAINER,
            },
          ],
          volumes,
        },
      },
    },
  };
}

function redisObjects(o: TeamOptions): K8sObject[] {
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: REDIS_NAME, namespace: o.namespace, labels: labels('redis') },
      spec: {
        // One: it is a cache the registry can do without (it then stats the storage), nothing to keep.
        replicas: 1,
        selector: { matchLabels: selector('redis') },
        strategy: { type: 'Recreate' },
        template: {
          metadata: { labels: labels('redis') },
          spec: {
            enableServiceLinks: false,
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 999,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: 'redis',
                image: REDIS_IMAGE,
                // Distribution sets no expiry on its keys: Redis must evict by itself (allkeys-lru, as
                // its configuration docs require). Nothing is persisted: a restart starts it empty.
                args: [
                  '--maxmemory',
                  `${REDIS_MAXMEMORY_MB}mb`,
                  '--maxmemory-policy',
                  'allkeys-lru',
                  '--save',
                  '',
                  '--appendonly',
                  'no',
                ],
                ports: [{ name: 'redis', containerPort: REDIS_PORT, protocol: 'TCP' }],
                readinessProbe: {
                  exec: { command: ['redis-cli', 'ping'] },
                  periodSeconds: 10,
                  timeoutSeconds: 3,
                },
                livenessProbe: {
                  tcpSocket: { port: 'redis' },
                  initialDelaySeconds: 10,
                  periodSeconds: 20,
                },
                resources: {
                  requests: { cpu: '50m', memory: '64Mi' },
                  limits: { cpu: '500m', memory: `${REDIS_MAXMEMORY_MB + 64}Mi` },
                },
                securityContext: RESTRICTED_CONTAINER,
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
              },
            ],
            volumes: [{ name: 'data', emptyDir: {} }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: REDIS_NAME, namespace: o.namespace, labels: labels('redis') },
      spec: {
        type: 'ClusterIP',
        selector: selector('redis'),
        ports: [{ name: 'redis', port: REDIS_PORT, targetPort: 'redis', protocol: 'TCP' }],
      },
    },
    {
      // Only the registry's pods reach Redis.
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: REDIS_NAME, namespace: o.namespace, labels: labels('redis') },
      spec: {
        podSelector: { matchLabels: selector('redis') },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ podSelector: { matchLabels: selector('registry') } }],
            ports: [{ port: REDIS_PORT, protocol: 'TCP' }],
          },
        ],
      },
    },
  ];
}

/** Every object, in the order `kubectl apply -f` should create them. */
export function kubernetesObjects(o: TeamOptions): K8sObject[] {
  const configText = k8sRegistryConfigText(o);
  const inCluster = o.host.endsWith('.svc.cluster.local');
  const objects: K8sObject[] = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: o.namespace,
        labels: { 'app.kubernetes.io/part-of': APP_NAME, 'app.kubernetes.io/managed-by': 'drpc' },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${APP_NAME}-config`, namespace: o.namespace, labels: labels('registry') },
      data: { 'config.yml': configText },
    },
  ];
  if (o.storage === 'pvc')
    objects.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: `${APP_NAME}-data`, namespace: o.namespace, labels: labels('registry') },
      spec: {
        // Every replica mounts it: it must be ReadWriteMany (EFS, Filestore, Azure Files, CephFS, NFS).
        accessModes: ['ReadWriteMany'],
        ...(o.storageClass ? { storageClassName: o.storageClass } : {}),
        resources: { requests: { storage: o.size } },
      },
    });
  if (!o.redis) objects.push(...redisObjects(o));
  objects.push(
    registryDeployment(o, configText),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: APP_NAME,
        namespace: o.namespace,
        labels: labels('registry'),
        ...(inCluster ? {} : { annotations: { 'external-dns.alpha.kubernetes.io/hostname': o.host } }),
      },
      spec: {
        type: o.serviceType,
        selector: selector('registry'),
        // Only the serving port: the debug port (health, metrics, expvar) stays inside the cluster.
        ports: [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `${APP_NAME}-metrics`, namespace: o.namespace, labels: labels('metrics') },
      spec: {
        type: 'ClusterIP',
        selector: selector('registry'),
        ports: [{ name: 'metrics', port: DEBUG_PORT, targetPort: 'debug', protocol: 'TCP' }],
      },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: APP_NAME, namespace: o.namespace, labels: labels('registry') },
      spec: { maxUnavailable: 1, selector: { matchLabels: selector('registry') } },
    },
  );
  return objects;
}
