// kind: a cluster config that points each node's containerd at a hosts directory drpc writes
// (app/configure/containerd/hosts-dir.ts, one <registry>/hosts.toml per registry), mounted into every
// node at /etc/containerd/certs.d, with `config_path` set by a containerdConfigPatches entry (kind's
// local-registry recipe does the same). Generated and owned by drpc: `kind create cluster --config
// FILE`. The mirror must be reachable from a node container: loopback is refused.
import { resolve } from 'node:path';
import { checkEntries, type MirrorEntry } from './entries.js';
import { OWNED } from './owned-file.js';

export const NODE_CERTS_D = '/etc/containerd/certs.d';

export function kindConfigYaml(entries: readonly MirrorEntry[], hostsDir: string, workers = 0): string {
  checkEntries(entries, { forNodes: 'kind' });
  const node = (role: string) => [
    `  - role: ${role}`,
    '    extraMounts:',
    `      - hostPath: ${JSON.stringify(resolve(hostsDir))}`,
    `        containerPath: ${NODE_CERTS_D}`,
    '        readOnly: true',
  ];
  return [
    OWNED,
    '# Use it when creating a cluster: kind create cluster --config THIS_FILE',
    '# Every node mounts the hosts directory drpc wrote; add the same extraMounts to any node you add.',
    'kind: Cluster',
    'apiVersion: kind.x-k8s.io/v1alpha4',
    'containerdConfigPatches:',
    '  - |-',
    '    [plugins."io.containerd.grpc.v1.cri".registry]',
    `      config_path = "${NODE_CERTS_D}"`,
    'nodes:',
    ...node('control-plane'),
    ...Array.from({ length: workers }, () => node('worker')).flat(),
    '',
  ].join('\n');
}
