// What the owner's local socket speaks: the renderer's typed contract (app/contract) as lines of JSON.
// One request per connection: `{call, input}` (a contract call the CLI may send) or `{handover: true}`
// (the app taking over from the keeper); then the owner writes `{event, payload}` lines (the contract's
// progress events while the call runs) and one `{result}` (the contract's envelope), and closes.
// Unix socket only (no TCP), in a directory only this user can enter, the socket itself 0600.
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { CallName } from '../contract/names.js';

/** The calls a CLI sends to the owner instead of acting behind its back. */
export const OWNER_CALLS = [
  'mirror.status',
  'mirror.up',
  'mirror.down',
  'mirror.restart',
  'cache.plan',
  'cache.prune',
  'cache.reset',
] as const satisfies readonly CallName[];
export type OwnerCall = (typeof OWNER_CALLS)[number];

export const requestSchema = z.union([
  z.object({ call: z.enum(OWNER_CALLS), input: z.unknown().optional() }),
  z.object({ handover: z.literal(true) }),
]);
export type OwnerRequest = z.infer<typeof requestSchema>;

/** The events forwarded to a caller while its call runs. */
export const FORWARDED_EVENTS = ['mirror.progress', 'cache.progress', 'mirror.keeper'] as const;
export type ForwardedEvent = (typeof FORWARDED_EVENTS)[number];

/** Longest unix socket path that works everywhere (macOS: 104 bytes with the terminator). */
const MAX_SOCKET_PATH = 100;

/**
 * Where the owner listens: `<home>/run/owner.sock`, or, when that path is too long for a unix socket,
 * a private directory in the temp dir named after the home.
 */
export function ownerSocketPath(home: string): string {
  const inHome = join(home, 'run', 'owner.sock');
  if (Buffer.byteLength(inHome) <= MAX_SOCKET_PATH) return inHome;
  const id = createHash('sha256').update(home).digest('hex').slice(0, 16);
  return join(tmpdir(), `drpc-${process.getuid?.() ?? 'u'}-${id}`, 'owner.sock');
}
