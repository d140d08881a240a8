// Exit codes that mean something to scripts.
import type { ErrorCode } from '../util/errors.js';
import type { MirrorState } from '../mirror/status.js';

export const EXIT = { ok: 0, error: 1, input: 2, engine: 3, image: 4, port: 5, notRunning: 6 } as const;

export function exitForError(code: ErrorCode): number {
  switch (code) {
    case 'INVALID_INPUT':
    case 'DATA_DIR_UNWRITABLE':
    case 'CONFIG_UNREADABLE':
      return EXIT.input;
    case 'ENGINE_UNREACHABLE':
    case 'ENGINE_CONFIG':
      return EXIT.engine;
    case 'IMAGE_UNAVAILABLE':
      return EXIT.image;
    case 'PORT_IN_USE':
      return EXIT.port;
    case 'NOT_CREATED':
    case 'UNHEALTHY':
    case 'VERIFY_FAILED':
      return EXIT.notRunning;
    default:
      return EXIT.error;
  }
}

export function exitForState(state: MirrorState): number {
  switch (state) {
    case 'running':
      return EXIT.ok;
    case 'engine-unreachable':
      return EXIT.engine;
    case 'image-missing':
      return EXIT.image;
    case 'port-in-use':
      return EXIT.port;
    default:
      return EXIT.notRunning;
  }
}
