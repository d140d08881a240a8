// k3d (k3s in containers): a registries.yaml handed to `k3d cluster create --registry-config FILE`,
// in k3s's format (docs.k3s.io private-registry; k3d.io usage/registries):
//
//   mirrors:
//     "docker.io":
//       endpoint:
//         - "http://host.docker.internal:5000"
//
// Generated and owned by drpc (not an edit of the user's file): k3d copies it into the nodes when the
// cluster is created, so one file per cluster setup is the natural unit, and keeping it ours makes
// undo simply removing it. k3s tries the registry itself after the endpoints ("default endpoint
// fallback"). The mirror must be reachable from a node container: loopback is refused.
import { checkEntries, type MirrorEntry } from './entries.js';
import { OWNED } from './owned-file.js';

export function k3dRegistriesYaml(entries: readonly MirrorEntry[]): string {
  const checked = checkEntries(entries, { forNodes: 'k3d' });
  return [
    OWNED,
    '# Use it when creating a cluster: k3d cluster create NAME --registry-config THIS_FILE',
    'mirrors:',
    ...checked.flatMap((e) => [
      `  ${JSON.stringify(e.registry)}:`,
      '    endpoint:',
      `      - ${JSON.stringify(e.mirrorUrl)}`,
    ]),
    '',
  ].join('\n');
}
