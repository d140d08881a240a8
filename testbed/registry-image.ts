// Builds the `registry` image FROM scratch with Debian's docker-registry binary and its libc,
// since nothing can be pulled here. Same entrypoint and config path as the official registry:2.
// registry:3 the same way, from the static 3.x binary built from source (registry3.ts).
import { readFileSync, realpathSync } from 'node:fs';
import type Docker from 'dockerode';
import { registry3Binary } from './registry3.js';
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

/**
 * A static binary (CGO off) needs no libc. As in the official registry:3 image (distribution's
 * Dockerfile): config in /etc/distribution/, and OTEL_TRACES_EXPORTER=none, without which 3.x tries to
 * export traces to https://localhost:4318 every 5 s and logs an error each time.
 */
const DOCKERFILE_3 = `FROM scratch
COPY registry /bin/registry
COPY config.yml /etc/distribution/config.yml
EXPOSE 5000
VOLUME ["/var/lib/registry"]
ENV OTEL_TRACES_EXPORTER=none
ENTRYPOINT ["/bin/registry"]
CMD ["serve", "/etc/distribution/config.yml"]
`;

const file = (p: string) => readFileSync(realpathSync(p));

export async function buildRegistryImage(docker: Docker, tags: string[]): Promise<void> {
  const context = await tarOf([
    { name: 'Dockerfile', data: Buffer.from(DOCKERFILE) },
    { name: 'registry', data: file('/usr/bin/docker-registry'), mode: 0o755 },
    { name: 'libc.so.6', data: file('/lib/x86_64-linux-gnu/libc.so.6'), mode: 0o755 },
    { name: 'ld-linux-x86-64.so.2', data: file('/lib64/ld-linux-x86-64.so.2'), mode: 0o755 },
    { name: 'config.yml', data: Buffer.from(DEFAULT_CONFIG) },
  ]);
  await buildFrom(docker, context, tags);
}

/** registry:3 from source (the binary is cached between runs; the image build itself takes a second). */
export async function buildRegistry3Image(docker: Docker, tags: string[]): Promise<void> {
  const binary = await registry3Binary();
  const context = await tarOf([
    { name: 'Dockerfile', data: Buffer.from(DOCKERFILE_3) },
    { name: 'registry', data: file(binary), mode: 0o755 },
    { name: 'config.yml', data: Buffer.from(DEFAULT_CONFIG) },
  ]);
  await buildFrom(docker, context, tags);
}

async function buildFrom(docker: Docker, context: Buffer, tags: string[]): Promise<void> {
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
