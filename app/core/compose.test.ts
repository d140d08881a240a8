// composeCore with plain adapters (a JSON settings file, credentials in memory, notifications and log
// lines kept in lists), as any front end gets it: on the test bed's real engine, and on an engine that
// is not there.
import { CURRENT_SETTINGS_VERSION } from '../settings/migrations.js';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { tempDir, testbed, testDocker, testMirrorSettings } from '../../testbed/helpers.js';
import type { CredentialsState, LoginItemState, Notice } from '../contract/values.js';
import type { EventName } from '../contract/names.js';
import type { UpstreamCredentials } from '../mirror/settings.js';
import { probeUpstream } from '../mirror/upstream-probe.js';
import { callOwner } from '../owner/client.js';
import { readOwner } from '../owner/lock.js';
import { ownerSocketPath } from '../owner/protocol.js';
import { defaultAppSettings } from '../settings/app-settings.js';
import { composeCore, type Core, type CoreAdapters } from './compose.js';
import { settingsFileAt } from './settings.js';

class ListVault {
  creds: UpstreamCredentials | null = null;
  async describe(): Promise<CredentialsState> {
    return { configured: !!this.creds, username: this.creds?.username ?? null };
  }
  async set(c: UpstreamCredentials) {
    this.creds = c;
    return this.describe();
  }
  async clear() {
    this.creds = null;
    return this.describe();
  }
  async reveal() {
    return this.creds;
  }
}

const DRPC = new URL('../../bin/drpc.js', import.meta.url).pathname;

/** `drpc` in a process of its own, as a user runs it; its exit code and output. */
function runDrpc(args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [DRPC, ...args],
      { env: { PATH: process.env.PATH, ...env } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const cores: Core[] = [];
afterAll(async () => {
  for (const core of cores) await core.dispose();
});

/** A core over plain adapters in a fresh home; what it notified, logged and sent is kept. */
async function compose(over: Partial<CoreAdapters> & { home?: string } = {}) {
  const home = over.home ?? tempDir('drpc-core-');
  const shown: Notice[] = [];
  const lines: string[] = [];
  const sent: { name: EventName; payload: unknown }[] = [];
  const core = await composeCore({
    settingsFile: settingsFileAt(join(home, 'settings.json')),
    vault: new ListVault(),
    notify: (n) => shown.push(n),
    log: {
      info: (m) => lines.push(`info ${m}`),
      warn: (m) => lines.push(`warn ${m}`),
      error: (m) => lines.push(`error ${m}`),
    },
    // No engine here unless a test gives one: the core still answers (Docker unreachable).
    env: { DRPC_HOME: home, HOME: home, DOCKER_HOST: `unix://${join(home, 'no-docker.sock')}` },
    platform: 'linux',
    probeUpstream: async () => ({ reachable: true, ms: 0 }),
    ...over,
  });
  cores.push(core);
  core.events.subscribe((name, payload) => sent.push({ name, payload }));
  return { core, home, shown, lines, sent };
}

describe('composeCore on the real engine', () => {
  const docker = testDocker();
  let name = '';
  afterAll(async () => {
    if (name)
      await docker
        .getContainer(name)
        .remove({ force: true })
        .catch(() => {});
  });

  it('runs the mirror the settings file describes, and sends what happens as events', async () => {
    const tb = testbed();
    const mirror = await testMirrorSettings('drpc-core');
    name = mirror.containerName;
    const home = tempDir('drpc-core-');
    const { core, sent } = await compose({
      home,
      env: { DRPC_HOME: home, HOME: home, DOCKER_HOST: tb.dockerHost },
      // The host reaches the stand-in Docker Hub on its published port, the mirror on the test network.
      probeUpstream: (url) => probeUpstream(url === tb.upstreamUrl ? tb.upstreamHostUrl : url),
      settingsOverride: { mirror },
      tuning: { monitorIntervalMs: 1000 },
    });
    const file = join(home, 'settings.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      version: CURRENT_SETTINGS_VERSION,
      mirror: { containerName: name, port: mirror.port },
    });
    await core.start();

    expect(await core.call('mirror.up', undefined)).toMatchObject({
      ok: true,
      value: { status: { state: 'running', mirrorUrl: `http://localhost:${mirror.port}` } },
    });
    const info = await docker.getContainer(name).inspect();
    expect(info.State.Running).toBe(true);
    expect(info.Config.Labels['io.drpc.managed']).toBeDefined();
    await vi.waitFor(
      () => {
        const names = sent.map((e) => e.name);
        expect(names).toContain('mirror.operation');
        expect(sent).toContainEqual({
          name: 'mirror.status',
          payload: expect.objectContaining({ state: 'running' }),
        });
      },
      { timeout: 30_000, interval: 100 },
    );

    // The contract's checks hold here as in every front end: nothing changes on bad input.
    const before = readFileSync(file, 'utf8');
    expect(await core.call('settings.update', { mirror: { port: 70000 } })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', issues: [{ path: 'mirror.port' }] },
    });
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(await core.call('settings.update', { app: { quitStopsMirror: true } })).toMatchObject({
      ok: true,
    });
    expect(JSON.parse(readFileSync(file, 'utf8')).app.quitStopsMirror).toBe(true);
    expect(sent).toContainEqual({
      name: 'settings.changed',
      payload: expect.objectContaining({ app: expect.objectContaining({ quitStopsMirror: true }) }),
    });

    expect(await core.call('mirror.down', undefined)).toEqual({ ok: true, value: { stopped: true } });
    expect((await docker.getContainer(name).inspect()).State.Running).toBe(false);
  });
});

describe('composeCore with no engine', () => {
  it('moves a settings file it cannot read aside, starts from the defaults and says so at start', async () => {
    const home = tempDir('drpc-core-');
    writeFileSync(join(home, 'settings.json'), '{ "version": 2, "mirror": {');
    const { core, shown, sent, lines } = await compose({
      home,
      now: () => new Date('2025-05-06T07:08:09.000Z'),
    });
    const backup = join(home, 'settings.corrupt-2025-05-06T07-08-09-000Z.json');
    expect(readFileSync(backup, 'utf8')).toBe('{ "version": 2, "mirror": {');
    expect(JSON.parse(readFileSync(join(home, 'settings.json'), 'utf8'))).toEqual(
      defaultAppSettings({ DRPC_HOME: home, HOME: home }),
    );
    expect(lines).toContain('warn settings file reset to defaults');
    await core.start();
    expect(shown.map((n) => n.title)).toEqual(['Settings were reset']);
    expect(sent).toContainEqual({
      name: 'notice',
      payload: expect.objectContaining({ kind: 'settings-reset' }),
    });
    expect(await core.call('notices.list', undefined)).toMatchObject({
      ok: true,
      value: [{ kind: 'settings-reset', message: expect.stringContaining(backup) }],
    });
    expect(await core.call('mirror.status', undefined)).toMatchObject({
      ok: true,
      value: { state: 'engine-unreachable' },
    });
  });

  it('builds the mirror without credentials the vault cannot give, and tells the user', async () => {
    const vault = new ListVault();
    vault.reveal = async () => {
      throw new Error('the keychain is locked');
    };
    const { core, shown } = await compose({ vault });
    await core.start();
    expect(shown).toContainEqual(
      expect.objectContaining({ title: 'Credentials unavailable', message: 'the keychain is locked' }),
    );
    expect(await core.call('credentials.get', undefined)).toEqual({
      ok: true,
      value: { configured: false, username: null },
    });
  });

  it('keeps the upstream password out of every reply and event, handing it to the vault only', async () => {
    const vault = new ListVault();
    const { core, sent } = await compose({ vault });
    await core.start();
    const set = await core.call('credentials.set', { username: 'alice', password: 'dckr_pat_core-secret' });
    expect(set).toEqual({ ok: true, value: { configured: true, username: 'alice' } });
    expect(vault.creds).toEqual({ username: 'alice', password: 'dckr_pat_core-secret' });
    expect(JSON.stringify(sent)).not.toContain('dckr_pat_core-secret');
  });

  it('saves the open-at-login preference where there is no system item, and raises a notice when one wants approval', async () => {
    const plain = await compose();
    expect(await plain.core.call('app.loginItem.set', { openAtLogin: true })).toMatchObject({
      ok: true,
      value: { openAtLogin: true, status: 'unsupported' },
    });
    expect(plain.core.settings.current.app.startAtLogin).toBe(true);
    expect(JSON.parse(readFileSync(join(plain.home, 'settings.json'), 'utf8')).app.startAtLogin).toBe(true);

    const asked: boolean[] = [];
    const approval: LoginItemState = {
      openAtLogin: false,
      status: 'requires-approval',
      message: 'approve it in System Settings > Login Items',
    };
    const mac = await compose({
      loginItem: {
        get: () => approval,
        set: (open) => (asked.push(open), approval),
      },
    });
    expect(await mac.core.call('app.loginItem.set', { openAtLogin: true })).toEqual({
      ok: true,
      value: approval,
    });
    expect(asked).toEqual([true]);
    expect(await mac.core.call('notices.list', undefined)).toMatchObject({
      value: [{ kind: 'login-item-approval', message: approval.message }],
    });
  });

  it('sends each event to every subscriber, despite one that throws, and to none after dispose', async () => {
    const { core, sent, lines } = await compose();
    const other: string[] = [];
    core.events.subscribe(() => {
      throw new Error('a closed socket');
    });
    const unsubscribe = core.events.subscribe((name) => other.push(name));
    await core.call('settings.update', { app: { startMirrorOnLaunch: true } });
    expect(sent.map((e) => e.name)).toContain('settings.changed');
    expect(other).toContain('settings.changed');
    expect(lines).toContain('error a listener of settings.changed failed');

    unsubscribe();
    await core.call('settings.update', { app: { startMirrorOnLaunch: false } });
    expect(other.filter((n) => n === 'settings.changed')).toHaveLength(1);
    const seen = sent.length;
    await core.dispose();
    await core.call('settings.update', { app: { startMirrorOnLaunch: true } });
    expect(sent).toHaveLength(seen);
  });

  it('owns the mirror from start to dispose: the lock, the socket the CLI is answered on, one owner per home', async () => {
    const { core, home } = await compose();
    expect(await readOwner(home)).toBeUndefined();
    await core.start();
    expect(await readOwner(home)).toMatchObject({ role: 'app', pid: process.pid });
    // A call over the owner socket is answered by this core's handlers.
    expect(await callOwner(home, 'mirror.status', undefined)).toMatchObject({
      state: 'engine-unreachable',
      engine: { endpoint: expect.stringContaining(join(home, 'no-docker.sock')) },
    });
    // The CLI in another process meets the app as the owner: a changed setting is refused, nothing changes.
    const before = readFileSync(join(home, 'settings.json'), 'utf8');
    const cli = await runDrpc(['up', '--port', '5999'], { DRPC_HOME: home, HOME: home });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/the menu-bar app \(pid \d+\)[^\n]*keeps the mirror/);
    expect(readFileSync(join(home, 'settings.json'), 'utf8')).toBe(before);
    // A second app on the same home is refused while this one keeps the mirror.
    const second = await compose({ home });
    await expect(second.core.start()).rejects.toThrow(/keeps the mirror/);
    await core.dispose();
    expect(await readOwner(home)).toBeUndefined();
    expect(existsSync(ownerSocketPath(home))).toBe(false);
  });

  it('does not take the lock when told it does not own the mirror', async () => {
    const { core, home } = await compose({ ownsMirror: false });
    await core.start();
    expect(await readOwner(home)).toBeUndefined();
  });
});
