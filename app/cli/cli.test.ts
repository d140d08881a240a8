// The command line end to end on the test bed: bad input changes nothing; up, status, verify, logs, rm work.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setMirrors } from '../../testbed/dockerd.js';
import {
  freePort,
  needsEngineControl,
  needsRoot,
  removeImagesExceptRegistry,
  tempDir,
  testbed,
  testDocker,
  uniqueName,
} from '../../testbed/helpers.js';
import { runCli } from './run.js';

const execFileP = promisify(execFile);

function cli(env: NodeJS.ProcessEnv) {
  return async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env });
    return { code, out: out.join('\n'), err: err.join('\n'), json: () => JSON.parse(out.join('\n')) };
  };
}

describe('drpc command line', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let run: ReturnType<typeof cli>;
  let port: number;
  const name = uniqueName('drpc-cli');

  beforeAll(async () => {
    home = tempDir('drpc-cli-');
    port = await freePort();
    env = { DRPC_HOME: home, DOCKER_HOST: testbed().dockerHost, PATH: process.env.PATH };
    run = cli(env);
    // The test bed's network and upstream, saved like any other setting once a command succeeds.
    const r = await run(
      'down',
      '--json',
      '--name',
      name,
      '--upstream',
      testbed().upstreamUrl,
      '--network',
      testbed().network,
      '--port',
      String(port),
    );
    expect(r.json()).toEqual({ stopped: false });
    expect(JSON.parse(readFileSync(join(home, 'settings.json'), 'utf8')).mirror).toMatchObject({
      port,
      containerName: name,
    });
  });
  afterAll(async () => {
    await run('rm');
    await setMirrors([]);
    await removeImagesExceptRegistry(testDocker());
  });

  const settingsFile = () => join(home, 'settings.json');

  it.each([
    [['up', '--port', '0'], /^drpc: --port must be between 1 and 65535$/],
    [['up', '--port', '70000'], /^drpc: --port must be between 1 and 65535$/],
    [['up', '--port', 'abc'], /^drpc: --port must be a number/],
    [['up', '--upstream', 'ftp://example.com'], /^drpc: --upstream must be an http/],
    [['up', '--upstream', 'not a url'], /^drpc: --upstream must be an http/],
    [['up', '--data-dir', 'relative/dir'], /^drpc: --data-dir must be an absolute path$/],
    [['up', '--bind', 'localhost:5000'], /^drpc: --bind must be an IP address like 127.0.0.1$/],
    [['frobnicate'], /unknown command/],
  ])('refuses %j with a clear message and changes nothing', async (argv, message) => {
    const before = readFileSync(settingsFile());
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(readFileSync(settingsFile())).toEqual(before);
    expect(await testDocker().listContainers({ all: true, filters: { name: [name] } })).toEqual([]);
  });

  it('says why when the data directory cannot be written', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'x');
    const before = readFileSync(settingsFile());
    const r = await run('up', '--json', '--data-dir', join(file, 'below'));
    expect(r.code).toBe(2);
    expect(readFileSync(settingsFile())).toEqual(before);
    expect(r.json().error).toMatchObject({ code: 'DATA_DIR_UNWRITABLE' });
    expect(r.json().error.message).toMatch(/cannot use .*a-file\/below/);
    expect(await testDocker().listContainers({ all: true, filters: { name: [name] } })).toEqual([]);
  });

  it('says so when the data directory is on a read-only file system', async (ctx) => {
    needsRoot(ctx, 'mounts a read-only tmpfs');
    const ro = tempDir('drpc-ro-');
    await execFileP('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]);
    try {
      const r = await run('up', '--json', '--data-dir', ro);
      expect(r.code).toBe(2);
      expect(r.json().error.code).toBe('DATA_DIR_UNWRITABLE');
    } finally {
      await execFileP('umount', [ro]);
    }
  });

  it('reports a port in use and offers the next free one', async () => {
    const busy = await freePort();
    const srv: Server = createServer();
    await new Promise<void>((r) => srv.listen(busy, '127.0.0.1', r));
    const before = readFileSync(settingsFile());
    try {
      const status = await run('status', '--json', '--port', String(busy));
      expect(status.code).toBe(5);
      expect(status.json()).toMatchObject({ state: 'port-in-use', port: { port: busy } });
      expect(status.json().port.suggestion).toBeGreaterThan(busy);
      const up = await run('up', '--json', '--port', String(busy));
      expect(up.code).toBe(5);
      expect(readFileSync(settingsFile())).toEqual(before);
      expect(up.json().error.message).toMatch(
        new RegExp(`port ${busy} on 127.0.0.1 is already in use.*port \\d+ is free`),
      );
      expect(await testDocker().listContainers({ all: true, filters: { name: [name] } })).toEqual([]);
    } finally {
      srv.close();
    }
  });

  it('says Docker is not running when the engine cannot be reached', async () => {
    const dead = cli({ ...env, DOCKER_HOST: `unix://${join(tempDir(), 'no.sock')}` });
    const status = await dead('status', '--json');
    expect(status.code).toBe(3);
    expect(status.json()).toMatchObject({ state: 'engine-unreachable', engine: { reachable: false } });
    const up = await dead('up');
    expect(up.code).toBe(3);
    expect(up.err).toMatch(/Docker is not reachable at unix:\/\/.*no\.sock.*start Docker/);
  });

  it('explains an image that cannot be had, and leaves no container behind', async () => {
    const other = cli({ ...env, DRPC_HOME: tempDir() });
    const r = await other(
      'up',
      '--json',
      '--image',
      'registry:does-not-exist',
      '--name',
      uniqueName('drpc-noimg'),
      '--port',
      String(await freePort()),
    );
    expect(r.code).toBe(4);
    expect(r.json().error.code).toBe('IMAGE_UNAVAILABLE');
    expect(r.json().error.message).toMatch(
      /registry:does-not-exist is not on this engine and could not be pulled/,
    );
  });

  it('brings the mirror up, reports it, verifies it with a real pull, shows its logs and removes it', async () => {
    const up = await run('up', '--json');
    expect(up.code).toBe(0);
    expect(up.json()).toMatchObject({
      action: 'created',
      status: { state: 'running', mirrorUrl: `http://localhost:${port}` },
    });

    const status = await run('status');
    expect(status.code).toBe(0);
    expect(status.out).toMatch(new RegExp(`running: the mirror is running\\nuse http://localhost:${port}`));

    // Not configured in the engine: verify pulls through the mirror's own address.
    await setMirrors([]);
    const verify = await run('verify', '--json');
    expect(verify.code).toBe(0);
    const report = verify.json();
    expect(report.engineUsesMirror).toBe(false);
    expect(report.steps.map((s: { id: string; ok: boolean }) => [s.id, s.ok])).toEqual([
      ['mirror', true],
      ['catalog-before', true],
      ['engine', true],
      ['pull', true],
      ['catalog-after', true],
      ['remove-local', true],
      ['warm-pull', true],
    ]);
    expect(report.steps.find((s: { id: string }) => s.id === 'warm-pull').detail).toMatch(
      /[1-9]\d* blob\(s\) served by the cache, none from the upstream/,
    );

    const logs = await run('logs', '--tail', '50');
    expect(logs.code).toBe(0);
    expect(logs.out).toMatch(/"msg":"response completed"/);

    const rm = await run('rm');
    expect(rm.out).toMatch(/removed \(the cache in .* stays\)/);
    expect(
      existsSync(
        join(home, 'mirror', 'data', 'docker', 'registry', 'v2', 'repositories', 'library', 'busybox'),
      ),
    ).toBe(true);
    expect((await run('status', '--json')).json().state).toBe('not-created');
  });

  it('verifies through the engine once its registry-mirrors list the mirror', async (ctx) => {
    needsEngineControl(ctx);
    expect((await run('up')).code).toBe(0);
    await setMirrors([`http://localhost:${port}`]);
    const human = await run('verify', 'library/app-two:latest');
    expect(human.code, human.out).toBe(0);
    expect(human.out).toMatch(/ok {3}is the engine set to use the mirror: registry-mirrors lists/);
    expect(human.out).toMatch(/catalog after lists it: .*library\/app-two/);
    expect((await run('rm')).code).toBe(0);
  });

  it('watch keeps reporting until interrupted, and up --offline serves the cache without the upstream', async () => {
    const out: string[] = [];
    let stop!: () => void;
    const interrupted = new Promise<void>((r) => (stop = r));
    const watching = runCli(
      ['watch', '--json', '--probe-url', testbed().upstreamHostUrl, '--interval', '1'],
      {
        out: (t) => {
          out.push(t);
          if (out.some((l) => JSON.parse(l).state === 'running')) stop();
        },
        err: () => {},
        env,
        interrupted,
      },
    );
    const up = await run('up', '--json');
    expect(up.code).toBe(0);
    setTimeout(stop, 15_000);
    expect(await watching).toBe(0);
    expect(out.map((l) => JSON.parse(l))).toContainEqual(
      expect.objectContaining({ event: 'status', state: 'running' }),
    );
    const offline = await run('up', '--json', '--offline');
    expect(offline.json()).toMatchObject({ action: 'recreated', status: { state: 'running' } });
    const info = await testDocker().getContainer(offline.json().status.container.id).inspect();
    expect(info.Config.Labels['io.drpc.mode']).toBe('offline');
    expect((await run('up', '--json')).json().action).toBe('recreated');
  });

  it('will not publish upstream credentials beyond this machine without an explicit confirmation', async () => {
    const withCreds = cli({ ...env, DRPC_UPSTREAM_USERNAME: 'robot', DRPC_UPSTREAM_PASSWORD: 'hunter2' });
    const before = readFileSync(settingsFile());
    const refused = await withCreds('up', '--bind', '0.0.0.0');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/anyone who reaches port \d+ pull that account's private images/);
    expect(refused.err).not.toContain('hunter2');
    expect(readFileSync(settingsFile())).toEqual(before);
    const confirmed = await withCreds('up', '--json', '--bind', '0.0.0.0', '--expose-credentials');
    expect(confirmed.code).toBe(0);
    expect(confirmed.out).not.toContain('hunter2');
    expect((await withCreds('up', '--json', '--bind', '127.0.0.1')).code).toBe(0);
  });

  it('leaves a settings file it cannot parse untouched', async () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'settings.json'), '{"mirror": {"port": 5000,,}');
    const r = await cli({ ...env, DRPC_HOME: dir })('up', '--port', '5001');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/settings\.json is not valid JSON.*left as it is/);
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toBe('{"mirror": {"port": 5000,,}');
  });
});
