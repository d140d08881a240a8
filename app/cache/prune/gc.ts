// `registry garbage-collect` in a one-off container: same image and mounts as the mirror, no network.
// Never with --delete-untagged (on 2.8 it destroys multi-platform images). Never while the mirror serves.
import type Docker from 'dockerode';
import { demuxLogs } from '../../docker/demux.js';
import { LABELS } from '../../mirror/container-spec.js';
import { configPathFor, registryMajorOf } from '../../mirror/registry-config.js';
import { chosenImage } from '../../mirror/image.js';
import { mirrorDirs, type MirrorSettings } from '../../mirror/settings.js';
import { AppError } from '../../util/errors.js';

export const GC_ROLE = 'gc';

export interface GcResult {
  exitCode: number;
  marked: number;
  eligibleBlobs: number;
  eligibleManifests: number;
  /** digests GC named as eligible (and, without dry-run, deleted) */
  blobs: string[];
  output: string;
  ms: number;
}

export function parseGcOutput(text: string): Omit<GcResult, 'exitCode' | 'output' | 'ms'> {
  const summary = /(\d+) blobs marked, (\d+) blobs and (\d+) manifests eligible for deletion/.exec(text);
  const blobs = [...text.matchAll(/blob eligible for deletion: (sha256:[0-9a-f]{64})/g)].map((m) => m[1]!);
  return {
    marked: Number(summary?.[1] ?? 0),
    eligibleBlobs: Number(summary?.[2] ?? 0),
    eligibleManifests: Number(summary?.[3] ?? 0),
    blobs: [...new Set(blobs)].sort(),
  };
}

/** GC containers of this data dir left by an interrupted run (the process died, the container did not). */
export async function leftoverGcContainers(docker: Docker, dataDir: string): Promise<string[]> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`${LABELS.role}=${GC_ROLE}`, `${LABELS.dataDir}=${dataDir}`] },
  });
  return list.map((c) => c.Id);
}

export async function runGarbageCollect(
  docker: Docker,
  settings: MirrorSettings,
  opts: { dryRun?: boolean; onStarted?: (id: string) => void } = {},
): Promise<GcResult> {
  // The image the mirror runs (the default's fallback, registry:2, may run while the settings name
  // registry:3, which this engine may not have).
  const ref = await docker
    .getContainer(settings.containerName)
    .inspect()
    .then(
      (c) => c.Config.Image,
      () => chosenImage(docker, settings.image),
    );
  const image = await docker.getImage(ref).inspect();
  const configPath = configPathFor(registryMajorOf(ref, image.Config?.Cmd));
  const dirs = mirrorDirs(settings);
  const t0 = Date.now();
  const container = await docker.createContainer({
    Image: ref,
    Cmd: ['garbage-collect', ...(opts.dryRun ? ['--dry-run'] : []), configPath],
    Labels: { [LABELS.managed]: 'true', [LABELS.role]: GC_ROLE, [LABELS.dataDir]: settings.dataDir },
    HostConfig: {
      Binds: [
        `${dirs.config}:${configPath.slice(0, configPath.lastIndexOf('/'))}:ro`,
        `${dirs.data}:/var/lib/registry:rw`,
      ],
      NetworkMode: 'none',
    },
  });
  try {
    await container.start();
    opts.onStarted?.(container.id);
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const output = demuxLogs((await container.logs({ stdout: true, stderr: true })) as unknown as Buffer);
    if (StatusCode !== 0) {
      throw new AppError(
        'INTERNAL',
        `garbage collection failed (exit code ${StatusCode}): ${output.trim().split('\n').slice(-3).join(' | ')}`,
      );
    }
    return { exitCode: StatusCode, output, ms: Date.now() - t0, ...parseGcOutput(output) };
  } finally {
    await container.remove({ force: true }).catch(() => {});
  }
}
