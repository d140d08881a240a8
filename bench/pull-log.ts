// The registry's JSON access log for a pull of a new tag through the proxy (what `simulatePull` leaves
// in the store): the manifest by tag (HEAD), then by digest (GET), the config and layer downloads, each
// fetched from the upstream, and the scheduler entries 2.8 adds once it has stored them. The lines the
// app's AccessTracker folds into pull records, and that tell the scanner which repository changed.
import type { SimulatedPull } from './synthetic-store.js';

const MANIFEST_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';
let requests = 0;

export function pullLogLines(
  repository: string,
  tag: string,
  pull: SimulatedPull,
  at = Date.now(),
  client = '172.17.0.1',
): string {
  const lines: string[] = [];
  let t = at;
  const time = () => new Date(t++).toISOString();
  const request = (method: 'GET' | 'HEAD', uri: string, extra: Record<string, unknown> = {}) => {
    const id = `pull-${process.pid}-${++requests}`;
    lines.push(
      JSON.stringify({
        level: 'info',
        msg: 'Challenge established with upstream : {https://registry-1.docker.io}',
        'http.request.id': id,
        time: time(),
      }),
      JSON.stringify({
        level: 'info',
        msg: 'response completed',
        'http.request.id': id,
        'http.request.method': method,
        'http.request.remoteaddr': `${client}:40${String(requests % 1000).padStart(3, '0')}`,
        'http.request.uri': uri,
        'http.request.useragent': 'docker/27.3.1 go/go1.22.7',
        'http.response.status': 200,
        time: time(),
        ...extra,
      }),
    );
  };
  const scheduled = (digest: string) =>
    lines.push(
      JSON.stringify({
        level: 'info',
        msg: `Adding new scheduler entry for ${repository}@${digest} with ttl=167h59m59.999s`,
        time: time(),
      }),
    );
  const manifest = { 'http.response.contenttype': MANIFEST_TYPE, 'http.response.written': 1000 };
  request('HEAD', `/v2/${repository}/manifests/${tag}`, manifest);
  request('GET', `/v2/${repository}/manifests/${pull.manifest}`, manifest);
  scheduled(pull.manifest);
  for (const digest of [pull.config, ...pull.layers]) {
    request('GET', `/v2/${repository}/blobs/${digest}`, { 'http.response.written': 1000 });
    scheduled(digest);
  }
  return lines.join('\n') + '\n';
}
