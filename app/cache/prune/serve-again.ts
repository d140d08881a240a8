// The mirror serves again after a prune, a reset or a recovery in the mode it served in before: an
// offline mirror comes back offline (2.8 in proxy mode cannot even start without its upstream).
import type { Mirror, UpAction } from '../../mirror/mirror.js';
import type { MirrorMode } from '../../mirror/registry-config.js';
import { mirrorDirs } from '../../mirror/settings.js';
import type { MirrorStatus } from '../../mirror/status.js';
import { repairLinks } from '../repair/links.js';

export async function serveAgain(
  mirror: Mirror,
  mode: MirrorMode,
): Promise<{ action: UpAction; status: MirrorStatus }> {
  const m = mirror.inMode(mode);
  // Offline, only linked blobs are served: link what a proxy never did (as the mode controller does).
  if (mode === 'offline' && !m.remoteStorage) await repairLinks(mirrorDirs(m.settings).data).catch(() => []);
  return m.up();
}
