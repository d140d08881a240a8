// Upstream credentials, encrypted with the OS keychain through Electron's safeStorage (async API).
// Stored as ciphertext in their own file; decrypted only to hand to the mirror container's
// environment. The UI only ever learns whether they are set and the user name.
import type { SafeStorage } from 'electron';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { ShellError } from '../app/contract/envelope.js';
import { credentialsInputSchema, type CredentialsState } from '../app/contract/values.js';
import type { UpstreamCredentials } from '../app/mirror/settings.js';
import { jsonFileStore, type JsonStore } from '../app/settings/json-file.js';
import type { Logger } from './log.js';

export type SafeStoragePort = Pick<
  SafeStorage,
  'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync'
>;

const storedSchema = z.object({
  version: z.literal(1),
  username: z.string(),
  /** base64 of safeStorage's ciphertext of the password */
  password: z.string(),
});

export class CredentialVault {
  constructor(
    private readonly safeStorage: SafeStoragePort,
    private readonly store: JsonStore,
    private readonly log: Logger,
  ) {}

  /** What the UI may know. */
  async describe(): Promise<CredentialsState> {
    const stored = await this.readStored();
    return stored ? { configured: true, username: stored.username } : { configured: false, username: null };
  }

  async set(input: UpstreamCredentials): Promise<CredentialsState> {
    const creds = credentialsInputSchema.parse(input);
    this.log.addSecret(creds.password);
    await this.ensureAvailable();
    const cipher = await this.safeStorage.encryptStringAsync(creds.password);
    await this.store.write({ version: 1, username: creds.username, password: cipher.toString('base64') });
    this.log.info('upstream credentials stored', { username: creds.username });
    return { configured: true, username: creds.username };
  }

  async clear(): Promise<CredentialsState> {
    await this.store.write({});
    this.log.info('upstream credentials cleared');
    return { configured: false, username: null };
  }

  /** The credentials in clear, for the mirror container's environment only. */
  async reveal(): Promise<UpstreamCredentials | null> {
    const stored = await this.readStored();
    if (!stored) return null;
    await this.ensureAvailable();
    let decrypted: { result: string; shouldReEncrypt: boolean };
    try {
      decrypted = await this.safeStorage.decryptStringAsync(Buffer.from(stored.password, 'base64'));
    } catch (err) {
      // Another Mac's keychain, or a reset one: the user has to enter them again.
      this.log.warn('upstream credentials could not be decrypted', { err });
      throw new ShellError(
        'SECRETS_UNAVAILABLE',
        'the stored upstream credentials cannot be decrypted on this Mac: enter them again',
      );
    }
    const password = decrypted.result;
    this.log.addSecret(password);
    if (decrypted.shouldReEncrypt) {
      // The keychain key was rotated: store the password under the new one.
      const cipher = await this.safeStorage.encryptStringAsync(password);
      await this.store.write({ ...stored, password: cipher.toString('base64') });
    }
    return { username: stored.username, password };
  }

  private async readStored(): Promise<z.infer<typeof storedSchema> | undefined> {
    const raw = await this.store.read();
    const parsed = storedSchema.safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  }

  private async ensureAvailable(): Promise<void> {
    if (!(await this.safeStorage.isAsyncEncryptionAvailable())) {
      throw new ShellError(
        'SECRETS_UNAVAILABLE',
        'the system keychain is not available, so credentials cannot be stored safely',
      );
    }
  }
}

/**
 * The credentials file: a JSON file only its owner can read or write (0600, its directory's other
 * files are 0644). Written to a temp file created 0600 and renamed over, so it is never readable by
 * others, not even for a moment; a file left 0644 by an older version is tightened when read.
 */
export function privateFileStore(path: string): JsonStore {
  const plain = jsonFileStore(path);
  return {
    location: path,
    async read() {
      const mode = await stat(path).then(
        (s) => s.mode,
        () => undefined,
      );
      if (mode !== undefined && (mode & 0o077) !== 0) await chmod(path, 0o600);
      return plain.read();
    },
    async write(value) {
      await mkdir(dirname(path), { recursive: true });
      const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
      const fh = await open(tmp, 'wx', 0o600);
      try {
        await fh.writeFile(JSON.stringify(value, null, 2) + '\n');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, path);
    },
  };
}
