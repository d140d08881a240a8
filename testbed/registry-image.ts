// Builds the `registry` image FROM scratch with Debian's docker-registry binary and its libc,
// since nothing can be pulled here. Same entrypoint and config path as the official registry:2.
import { readFileSync, realpathSync } from 'node:fs';
import type Docker from 'dockerode';
import { tarOf } from './tarball.js';

const DOCKERFILE = `FROM scratch
COPY registry /bin/registry
COPY libc.so.6 /lib/x86_64-linux-gnu/libc.so.6
COPY ld-linux-x86-64.so.2 /lib64/ld-linux-x86-64.so.2
COPY config.yml /etc/docker/registry/config.yml
EXPOSE 5000
VOLUME ["/var/lib/registry"]
ENTRYPOINT ["/bin/registry"]
CMD ["serve", "/etc/docker/registry/config.yml"]
`;

const DEFAULT_CONFIG = `version: 0.1
log:
  fields:
    service: registry
storage:
  filesystem:
    rootdirectory: /var/lib/registry
http:
  addr: :5000
`;

export async function imageExists(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch {
    return false;
  }
}

export async function buildRegistryImage(docker: Docker, tags: string[]): Promise<void> {
  const file = (p: string) => readFileSync(realpathSync(p));
  const context = await tarOf([
    { name: 'Dockerfile', data: Buffer.from(DOCKERFILE) },
    { name: 'registry', data: file('/usr/bin/docker-registry'), mode: 0o755 },
    { name: 'libc.so.6', data: file('/lib/x86_64-linux-gnu/libc.so.6'), mode: 0o755 },
    { name: 'ld-linux-x86-64.so.2', data: file('/lib64/ld-linux-x86-64.so.2'), mode: 0o755 },
    { name: 'config.yml', data: Buffer.from(DEFAULT_CONFIG) },
  ]);
  const [first, ...rest] = tags;
  const stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, { t: first });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, events: Array<{ error?: string }>) => {
      const failed = events?.find((e) => e.error);
      if (err || failed) reject(new Error(`registry image build failed: ${err?.message ?? failed?.error}`));
      else resolve();
    });
  });
  for (const t of rest) {
    const [repo = t, tag = 'latest'] = t.split(':');
    await docker.getImage(first!).tag({ repo, tag });
  }
}
