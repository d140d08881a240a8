// Registry 3.1.1's log lines, as captured from the test bed's registry:3 (JSON formatter), read by the
// same parser as 2.8's: the fields the app relies on kept their names; 3.x adds vars.*, instance.id and
// version, and logs a plain access line beside each JSON one, which carries nothing new and is skipped.
import { describe, expect, it } from 'vitest';
import { parseLogLine } from './log-entry.js';

const common =
  '"go.version":"go1.25.12","http.request.host":"localhost:45999","http.request.remoteaddr":"10.221.0.1:36050","http.request.useragent":"docker/20.10.24","instance.id":"01a2464b-61f5-7ae9-a9cb-0362e8267e32","version":"v3.1.1"';
const D = 'sha256:' + '5c5126f54383e5bda1011552af6118f50b5195e9d2108bcf287a30a4befa3fa1';

describe('registry 3.x log lines', () => {
  it('reads manifest requests, upstream contacts and blob downloads', () => {
    const manifest = `{${common},"http.request.id":"r1","http.request.method":"GET","http.request.uri":"/v2/library/multi/manifests/latest","http.response.contenttype":"application/vnd.docker.distribution.manifest.list.v2+json","http.response.duration":"7.24226ms","http.response.status":200,"http.response.written":529,"level":"info","msg":"response completed","time":"2026-12-05T13:01:17.112038997Z","vars.name":"library/multi","vars.reference":"latest"}`;
    expect(parseLogLine(manifest)).toEqual({
      kind: 'manifest',
      time: Date.parse('2026-12-05T13:01:17.112Z'),
      repo: 'library/multi',
      reference: 'latest',
      byDigest: false,
      method: 'GET',
      isIndex: true,
      client: '10.221.0.1 docker/20.10.24',
      requestId: 'r1',
    });
    const challenge = `{${common},"http.request.id":"r2","http.request.method":"GET","http.request.uri":"/v2/library/multi/blobs/${D}","level":"info","msg":"Challenge established with upstream: http://drpc-tb-upstream:5000/v2/","time":"2026-12-05T13:01:22.458150816Z","vars.digest":"${D}","vars.name":"library/multi"}`;
    expect(parseLogLine(challenge)).toMatchObject({ kind: 'upstream', requestId: 'r2' });
    const blob = `{${common},"http.request.id":"r2","http.request.method":"GET","http.request.uri":"/v2/library/multi/blobs/${D}","http.response.contenttype":"application/octet-stream","http.response.status":200,"http.response.written":922085,"level":"info","msg":"response completed","time":"2026-12-05T13:01:22.5Z","vars.digest":"${D}","vars.name":"library/multi"}`;
    expect(parseLogLine(blob)).toMatchObject({ kind: 'blob', repo: 'library/multi', bytes: 922085 });
  });

  it('reads a write that failed for lack of space, and skips the plain access line', () => {
    const full = `{"err.code":"unknown","err.detail":"write /var/lib/registry/docker/registry/v2/repositories/library/multi/_uploads/01a2464b/data: no space left on device","err.message":"unknown error",${common},"http.request.id":"r3","http.request.method":"GET","http.request.uri":"/v2/library/multi/blobs/${D}","http.response.status":500,"http.response.written":291071,"level":"error","msg":"response completed with error","time":"2026-12-05T13:01:22.472087409Z"}`;
    expect(parseLogLine(full)).toMatchObject({ kind: 'disk-full', requestId: 'r3' });
    const access = `10.221.0.1 - - [05/Dec/2026:12:59:45 +0000] "GET /v2/library/multi/blobs/${D} HTTP/1.1" 500 618711 "" "docker/20.10.24"`;
    expect(parseLogLine(access)).toBeUndefined();
    const traces = `{${common},"level":"error","msg":"traces export: Post \\"https://localhost:4318/v1/traces\\": dial tcp 127.0.0.1:4318: connect: connection refused","time":"2026-12-05T12:59:49.025057481Z"}`;
    expect(parseLogLine(traces)).toBeUndefined();
  });
});
