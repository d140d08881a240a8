// Which Distribution major version an image is, apart from the config renderer so the renderer process
// can tell (it words a full disk differently for 2.8 and 3.x) without bundling a YAML library.
export type RegistryMajor = 2 | 3;

/**
 * The major version of a registry image: the config path its CMD names is the surest sign
 * (the official images differ exactly there); the tag is the fallback.
 */
export function registryMajorOf(image: string, cmd?: string[] | null): RegistryMajor {
  const args = cmd ?? [];
  if (args.some((a) => a.startsWith('/etc/distribution/'))) return 3;
  if (args.some((a) => a.startsWith('/etc/docker/registry/'))) return 2;
  const tag = /:([^/@]+)(?:@|$)/.exec(image)?.[1] ?? 'latest';
  // registry:latest has been 3.x since April 2025.
  if (tag === 'latest' || /^v?3(\.|$)/.test(tag)) return 3;
  return 2;
}
