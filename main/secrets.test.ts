import { chmodSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ShellError } from '../app/contract/envelope.js';
import { jsonFileStore, memoryStore } from '../app/settings/json-file.js';
import { createLogger } from './log.js';
import { CredentialVault, privateFileStore, type SafeStoragePort } from './secrets.js';
import { safeStorage as fakeSafeStorage } from './testing/fake-electron.js';

const PASSWORD = 'dckr_pat_Very-Secret-123';

function setup(storage: SafeStoragePort = fakeSafeStorage) {
  const dir = mkdtempSync(join(tmpdir(), 'drpc-secrets-'));
  const file = join(dir, 'credentials.json');
  const lines: string[] = [];
  const vault = new CredentialVault(
    storage,
    jsonFileStore(file),
    createLogger((l) => lines.push(l)),
  );
  return { vault, file, lines };
}

/** Every form the password could take in a file or log: as is, base64, hex, JSON-escaped. */
function leaks(text: string, secret = PASSWORD): boolean {
  const b = Buffer.from(secret);
  return [secret, b.toString('base64'), b.toString('hex'), JSON.stringify(secret)].some((f) =>
    text.includes(f),
  );
}

describe('CredentialVault', () => {
  it('round-trips credentials through safeStorage and tells the UI only who', async () => {
    const { vault } = setup();
    expect(await vault.describe()).toEqual({ configured: false, username: null });
    expect(await vault.set({ username: 'alice', password: PASSWORD })).toEqual({
      configured: true,
      username: 'alice',
    });
    expect(await vault.describe()).toEqual({ configured: true, username: 'alice' });
    expect(await vault.reveal()).toEqual({ username: 'alice', password: PASSWORD });
  });

  it('stores only ciphertext: the password never appears in the file', async () => {
    const { vault, file } = setup();
    await vault.set({ username: 'alice', password: PASSWORD });
    const text = readFileSync(file, 'utf8');
    expect(leaks(text)).toBe(false);
    const stored = JSON.parse(text) as { username: string; password: string };
    expect(stored.username).toBe('alice');
    const cipher = Buffer.from(stored.password, 'base64');
    expect((await fakeSafeStorage.decryptStringAsync(cipher)).result).toBe(PASSWORD);
  });

  it('never writes the password to the log, even in errors that carry it', async () => {
    const { vault, lines } = setup();
    await vault.set({ username: 'alice', password: PASSWORD });
    await vault.reveal();
    const log = createLogger((l) => lines.push(l));
    // A message from elsewhere that happens to contain the password, after the vault registered it.
    const vault2 = new CredentialVault(fakeSafeStorage, memoryStore(), log);
    await vault2.set({ username: 'bob', password: PASSWORD });
    log.error(`docker said: unauthorized for REGISTRY_PROXY_PASSWORD=${PASSWORD}`);
    expect(lines.length).toBeGreaterThan(2);
    expect(leaks(lines.join('\n'))).toBe(false);
  });

  it('forgets credentials on clear', async () => {
    const { vault, file } = setup();
    await vault.set({ username: 'alice', password: PASSWORD });
    expect(await vault.clear()).toEqual({ configured: false, username: null });
    expect(await vault.reveal()).toBeNull();
    expect(leaks(readFileSync(file, 'utf8'))).toBe(false);
  });

  it('refuses to store anything when the keychain is unavailable', async () => {
    const { vault } = setup({ ...fakeSafeStorage, isAsyncEncryptionAvailable: async () => false });
    await expect(vault.set({ username: 'alice', password: PASSWORD })).rejects.toMatchObject({
      code: 'SECRETS_UNAVAILABLE',
    });
    expect(await vault.describe()).toEqual({ configured: false, username: null });
  });

  it('asks for the credentials again when they cannot be decrypted', async () => {
    const { vault, file, lines } = setup();
    await vault.set({ username: 'alice', password: PASSWORD });
    const broken = new CredentialVault(
      {
        ...fakeSafeStorage,
        decryptStringAsync: async () => Promise.reject(new Error('keychain item not found')),
      },
      jsonFileStore(file),
      createLogger((l) => lines.push(l)),
    );
    const err = await broken.reveal().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShellError);
    expect(err).toMatchObject({ code: 'SECRETS_UNAVAILABLE' });
  });

  it('re-encrypts when the keychain says the key was rotated', async () => {
    const { vault, file } = setup();
    await vault.set({ username: 'alice', password: PASSWORD });
    const before = readFileSync(file, 'utf8');
    let encrypted = 0;
    const rotating: SafeStoragePort = {
      isAsyncEncryptionAvailable: async () => true,
      encryptStringAsync: async (plain) => {
        encrypted++;
        return Buffer.from(`fake-enc:${Buffer.from(plain).reverse().toString('hex')}`);
      },
      decryptStringAsync: async (cipher) => ({
        ...(await fakeSafeStorage.decryptStringAsync(cipher)),
        shouldReEncrypt: true,
      }),
    };
    const v2 = new CredentialVault(
      rotating,
      jsonFileStore(file),
      createLogger(() => {}),
    );
    expect((await v2.reveal())?.password).toBe(PASSWORD);
    expect(encrypted).toBe(1);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(before));
  });

  it('validates what it is given', async () => {
    const { vault } = setup();
    await expect(vault.set({ username: '', password: PASSWORD })).rejects.toThrow();
    await expect(vault.set({ username: 'alice', password: 'a\nb' })).rejects.toThrow();
  });
});

describe('privateFileStore', () => {
  it('writes the credentials file 0600 (not the 0644 the usual umask gives a new file), and leaves no temp file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drpc-private-'));
    const file = join(dir, 'credentials.json');
    // Vitest's worker threads cannot change the umask: the process's own (022 here) is the one tested.
    const vault = new CredentialVault(
      fakeSafeStorage,
      privateFileStore(file),
      createLogger(() => {}),
    );
    await vault.set({ username: 'alice', password: PASSWORD });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await vault.reveal()).toEqual({ username: 'alice', password: PASSWORD });
    await vault.clear();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['credentials.json']);
  });

  it('tightens a file an older version left readable by others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drpc-private-'));
    const file = join(dir, 'credentials.json');
    writeFileSync(file, '{}\n');
    chmodSync(file, 0o644);
    expect(await privateFileStore(file).read()).toEqual({});
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
