// Makes sure the registry image is present: pulled with progress events, or a clear reason why not.
import type Docker from 'dockerode';
import { AppError, messageOf } from '../util/errors.js';
import { DEFAULT_IMAGE } from './settings.js';

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
    { image: ref, reason: reason.trim() },
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

/**
 * What a default install runs when the default (registry:3) is not on the engine and cannot be pulled
 * (the first start on a plane, an engine without Docker Hub) while registry:2 is there: the hand-made
 * setup this app replaces used it. Both read and write the same storage layout (measured in both
 * directions, docs/reliability.md), so the cache is the same either way.
 */
export const FALLBACK_IMAGE = 'registry:2';

/** After a failed pull of the default, `up` uses the fallback without asking Docker Hub again this long. */
export const DEFAULT_PULL_RETRY_MS = 10 * 60_000;

const failedDefaultPulls = new WeakMap<Docker, { at: number; reason: string }>();

/**
 * The image `up` would run now, without pulling: the settings' own; for the default, registry:3 when
 * the engine has it, else registry:2 when it has that.
 */
export async function chosenImage(docker: Docker, image: string): Promise<string> {
  if (image !== DEFAULT_IMAGE || (await hasImage(docker, image))) return image;
  return (await hasImage(docker, FALLBACK_IMAGE)) ? FALLBACK_IMAGE : image;
}

export interface ObtainedImage {
  image: string;
  /** why it is not the settings' image, for people */
  note?: string;
}

/**
 * Makes sure the image to run is on the engine: the settings' image, pulled when missing; for the
 * default, registry:2 when registry:3 cannot be pulled and registry:2 is there (said in `note`).
 */
export async function obtainImage(
  docker: Docker,
  image: string,
  onProgress?: (p: PullProgress) => void,
  now: () => number = Date.now,
): Promise<ObtainedImage> {
  if (
    image !== DEFAULT_IMAGE ||
    (await hasImage(docker, image)) ||
    !(await hasImage(docker, FALLBACK_IMAGE))
  ) {
    await ensureImage(docker, image, onProgress);
    return { image };
  }
  let failed = failedDefaultPulls.get(docker);
  if (!failed || now() - failed.at >= DEFAULT_PULL_RETRY_MS) {
    try {
      await pullImage(docker, image, onProgress);
      failedDefaultPulls.delete(docker);
      return { image };
    } catch (err) {
      const reason = err instanceof AppError ? String(err.details?.reason ?? err.message) : messageOf(err);
      failed = { at: now(), reason };
      failedDefaultPulls.set(docker, failed);
    }
  }
  return {
    image: FALLBACK_IMAGE,
    note:
      `${image} (the default) is not on this engine and could not be pulled (${failed.reason}): ` +
      `running ${FALLBACK_IMAGE}, which is, over the same cache; up switches to ${image} once it can pull it`,
  };
}
