// `drpc team manifests` as text: the Kubernetes objects (one YAML stream) or the compose file, headed by
// the command that renders them again and what to create beside them. Pure: no I/O, no electron.
import { composeDocument, COMPOSE_SECRET_FILES } from './compose.js';
import { kubernetesObjects, type K8sObject } from './kubernetes.js';
import { APP_NAME, TEAM_DEFAULTS, type TeamOptions } from './options.js';
import { toYaml } from './yaml.js';

/** The flags that give these options, defaults left out: the header's "rendered by" line. */
export function commandLine(o: TeamOptions): string {
  const args: string[] = ['drpc', 'team', 'manifests'];
  const add = (flag: string, value: string | number | undefined, fallback?: string | number) => {
    if (value !== undefined && value !== fallback) args.push(`--${flag}`, String(value));
  };
  if (o.format !== TEAM_DEFAULTS.format) args.push('--format', o.format);
  add('host', o.host, `${APP_NAME}.${o.namespace}.svc.cluster.local`);
  if (o.format === 'k8s') {
    add('replicas', o.replicas, TEAM_DEFAULTS.replicas);
    add('namespace', o.namespace, TEAM_DEFAULTS.namespace);
    add('service-type', o.serviceType, TEAM_DEFAULTS.serviceType);
  }
  add('storage', o.storage, TEAM_DEFAULTS.storage);
  if (o.storage === 's3') {
    add('bucket', o.bucket);
    add('region', o.region, TEAM_DEFAULTS.region);
    add('endpoint', o.endpoint);
    if (o.format === 'k8s') add('s3-secret', o.s3Secret, TEAM_DEFAULTS.s3Secret);
  } else if (o.format === 'k8s') {
    add('size', o.size, TEAM_DEFAULTS.size);
    add('storage-class', o.storageClass);
  }
  if (o.format === 'k8s') {
    add('tls-secret', o.tlsSecret, TEAM_DEFAULTS.tlsSecret);
    if (o.authSecret !== null) add('auth-secret', o.authSecret, TEAM_DEFAULTS.authSecret);
    add('upstream-secret', o.upstreamSecret);
  }
  if (o.authSecret === null) args.push('--no-auth');
  add('upstream', o.upstream, TEAM_DEFAULTS.upstream);
  add('redis', o.redis);
  add('image', o.image, TEAM_DEFAULTS.image);
  return args.join(' ');
}

function clientLines(o: TeamOptions): string[] {
  if (o.authSecret === null)
    return [
      `# Clients: Docker's daemon.json "registry-mirrors": ["https://${o.host}"]; containerd's`,
      `#   certs.d/docker.io/hosts.toml: [host."https://${o.host}"] capabilities = ["pull", "resolve"].`,
      '#   No authentication: keep the mirror on a network only your clients reach.',
    ];
  return [
    `# Clients authenticate (htpasswd): containerd's certs.d/docker.io/hosts.toml [host."https://${o.host}"]`,
    '#   with capabilities = ["pull", "resolve"] and a header table: authorization = "Basic <base64 user:password>".',
    "#   Docker's registry-mirrors sends a mirror no credentials (moby#30880): Docker clients pull by name",
    `#   (docker login ${o.host}; docker pull ${o.host}/library/alpine) or use a --no-auth mirror (docs/team.md).`,
  ];
}

function k8sHeader(o: TeamOptions): string {
  const ns = `kubectl -n ${o.namespace}`;
  const lines = [
    '# Team registry mirror: CNCF Distribution 3.x in proxy mode (docs/team.md).',
    `# Rendered by: ${commandLine(o)}`,
    '# Apply it, then create the Secrets it names (their values never pass through drpc); the pods',
    '# start once the Secrets exist:',
    `#   kubectl apply -f registry-mirror.yaml`,
    `#   ${ns} create secret tls ${o.tlsSecret} --cert=tls.crt --key=tls.key   (or a cert-manager Certificate`,
    `#     with secretName: ${o.tlsSecret} and dnsNames: [${o.host}])`,
  ];
  if (o.authSecret !== null)
    lines.push(
      `#   ${ns} create secret generic ${o.authSecret} --from-file=htpasswd=./htpasswd   (bcrypt: htpasswd -Bc)`,
    );
  if (o.storage === 's3')
    lines.push(
      `#   ${ns} create secret generic ${o.s3Secret} --from-file=accesskey=./accesskey --from-file=secretkey=./secretkey`,
    );
  if (o.upstreamSecret)
    lines.push(
      `#   ${ns} create secret generic ${o.upstreamSecret} --from-file=username=./username --from-file=password=./password`,
    );
  return [...lines, ...clientLines(o)].join('\n');
}

function composeHeader(o: TeamOptions): string {
  const files = Object.entries(COMPOSE_SECRET_FILES)
    .filter(([k]) => k !== 'htpasswd' || o.authSecret !== null)
    .map(([, f]) => f);
  const env = [
    ...(o.storage === 's3' ? ['REGISTRY_STORAGE_S3_ACCESSKEY', 'REGISTRY_STORAGE_S3_SECRETKEY'] : []),
    'REGISTRY_PROXY_USERNAME and REGISTRY_PROXY_PASSWORD (optional: without them, anonymous pulls)',
  ];
  return [
    '# Team registry mirror on one Docker host: CNCF Distribution 3.x in proxy mode (docs/team.md).',
    `# Rendered by: ${commandLine(o)}`,
    '# Needs Docker Compose 2.23.1 or later (configs.content). Beside this file:',
    `#   ${files.join(', ')}`,
    `# In .env or the shell at \`docker compose up -d\` (never in this file): ${env.join(', ')}`,
    ...clientLines(o),
  ].join('\n');
}

export interface Rendered {
  format: TeamOptions['format'];
  text: string;
  /** Kubernetes: the objects; compose: the one document */
  documents: K8sObject[] | Record<string, unknown>[];
}

export function renderTeam(o: TeamOptions): Rendered {
  if (o.format === 'compose') {
    const doc = composeDocument(o);
    return {
      format: o.format,
      text: `${composeHeader(o)}\n${toYaml(doc)}`,
      documents: [doc],
    };
  }
  const objects = kubernetesObjects(o);
  const body = objects.map((obj) => `---\n${toYaml(obj)}`).join('');
  return { format: o.format, text: `${k8sHeader(o)}\n${body}`, documents: objects };
}
