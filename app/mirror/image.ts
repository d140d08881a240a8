// Makes sure the registry image is present: pulled with progress events, or a clear reason why not.
import type Docker from 'dockerode';
import { AppError, messageOf } from '../util/errors.js';

export interface PullProgress {
  status: string;
  id?: string;
  current?: number;
  total?: number;
}

interface ProgressEvent {
  status?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
  progressDetail?: { current?: number; total?: number };
}

export async function hasImage(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

/** Pulls `ref`, reporting progress; dockerode does not reject on errors inside the stream, so each event is checked. */
export async function pullImage(
  docker: Docker,
  ref: string,
  onProgress?: (p: PullProgress) => void,
): Promise<void> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.pull(ref);
  } catch (err) {
    throw unobtainable(ref, messageOf(err));
  }
  await new Promise<void>((resolve, reject) => {
    let failure: string | undefined;
    docker.modem.followProgress(
      stream,
      (err: Error | null) => {
        if (err || failure) reject(unobtainable(ref, failure ?? messageOf(err)));
        else resolve();
      },
      (e: ProgressEvent) => {
        if (e.error) failure = e.errorDetail?.message ?? e.error;
        else if (e.status && onProgress) {
          onProgress({
            status: e.status,
            ...(e.id ? { id: e.id } : {}),
            ...(e.progressDetail?.current !== undefined ? { current: e.progressDetail.current } : {}),
            ...(e.progressDetail?.total !== undefined ? { total: e.progressDetail.total } : {}),
          });
        }
      },
    );
  });
}

function unobtainable(ref: string, reason: string): AppError {
  return new AppError(
    'IMAGE_UNAVAILABLE',
    `the registry image ${ref} is not on this engine and could not be pulled: ${reason.trim()}. ` +
      'Connect to the network once, or load the image (docker load), or choose another image in the settings.',
    { image: ref },
  );
}

export async function ensureImage(
  docker: Docker,
  ref: string,
  onProgress?: (p: PullProgress) => void,
): Promise<'present' | 'pulled'> {
  if (await hasImage(docker, ref)) return 'present';
  await pullImage(docker, ref, onProgress);
  return 'pulled';
}
