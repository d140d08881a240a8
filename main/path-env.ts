// An app started from Finder or at login gets launchd's PATH (/usr/bin:/bin:/usr/sbin:/sbin), not the
// shell's: docker-machine, colima and docker installed with Homebrew are not found there. Homebrew's
// directories (Apple silicon, then Intel) are added after what is there, so nothing the system or the
// user put first is shadowed.
export const HOMEBREW_BIN_DIRS: readonly string[] = ['/opt/homebrew/bin', '/usr/local/bin'];

export function withHomebrewPath(
  path: string | undefined,
  platform: NodeJS.Platform,
  dirs: readonly string[] = HOMEBREW_BIN_DIRS,
): string | undefined {
  if (platform !== 'darwin') return path;
  const parts = (path ?? '').split(':').filter(Boolean);
  return [...parts, ...dirs.filter((d) => !parts.includes(d))].join(':');
}
