// Registry 2.8 and 3.1 without their upstream, side by side, and one cache served by both.
// Per version, in plain proxy mode (no app offline mode): start with the upstream gone, pulls of cached
// images with the upstream stopped and with an upstream that accepts and never answers. Then a cache
// written by 2.8 served by 3.1 (proxy with the upstream up, then offline) and back.
// Run: npm run bench -- offline   (as root; uses the test bed; builds registry:3 if missing)
import { createServer, type Socket } from 'node:net';
import type Docker from 'dockerode';
import { setMirrors, engine } from '../testbed/dockerd.js';
import { freePort, pull, removeLocalImages, tempDir } from '../testbed/helpers.js';
import { ensureTestbed } from '../testbed/index.js';
import { NET } from '../testbed/layout.js';
import { buildRegistry3Image, imageExists } from '../testbed/registry-image.js';
import { startUpstream, stopUpstream, upstreamRequests } from '../testbed/upstream.js';
import { registryAnswers } from '../app/mirror/http.js';
import { Mirror } from '../app/mirror/mirror.js';
import type { MirrorMode } from '../app/mirror/registry-config.js';
import { defaultMirrorSettings, type MirrorSettings } from '../app/mirror/settings.js';
import { ms, timed } from './stats.js';

const CACHED = ['library/busybox:latest', 'library/app-one:latest', 'library/multi:latest'];
const CAP_MS = 40_000;

type Outcome = string;

/** One pull with nothing local, capped: "ok 120 ms", "failed after 2 s: …" or "no answer in 40 s". */
async function pullOutcome(docker: Docker, ref: string): Promise<Outcome> {
  await removeLocalImages(docker, CACHED);
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<'cap'>((r) => (timer = setTimeout(() => r('cap'), CAP_MS)));
  const [t, r] = await timed(() =>
    Promise.race([
      pull(docker, ref).then(
        () => 'ok' as const,
        (e: Error) => e,
      ),
      cap,
    ]),
  );
  clearTimeout(timer);
  if (r === 'cap') return `no answer in ${CAP_MS / 1000} s`;
  if (r === 'ok') return `ok ${ms(t)}`;
  return `failed after ${ms(t)}: ${r.message.slice(0, 80)}`;
}

async function pullAllOutcomes(docker: Docker, refs = CACHED): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const ref of refs) out.push(await pullOutcome(docker, ref));
  return out;
}

/** What the container does 15 s after a start: serving, hanging, or restarting (crash-loop). */
async function stateAfterStart(docker: Docker, name: string, base: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  let info = await docker.getContainer(name).inspect();
  while (Date.now() < deadline) {
    info = await docker.getContainer(name).inspect();
    if (info.RestartCount >= 2) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return info.RestartCount > 0
    ? `crash-loop (${info.RestartCount} restarts in ${ms(15_000)})`
    : info.State.Running
      ? (await registryAnswers(base, 3000))
        ? 'serving'
        : 'running, /v2/ unanswered'
      : `exited (${info.State.ExitCode})`;
}

export async function benchOffline() {
  const tb = await ensureTestbed();
  const docker = engine();
  if (!(await imageExists(docker, 'registry:3'))) await buildRegistry3Image(docker, ['registry:3']);
  const gw = (await docker.getNetwork(NET.testNetwork).inspect()).IPAM?.Config?.[0]?.Gateway as string;

  const settingsFor = async (image: string, name: string, over: Partial<MirrorSettings> = {}) => ({
    ...defaultMirrorSettings(),
    image,
    port: await freePort(),
    dataDir: tempDir(`drpc-${name}-`),
    containerName: `drpc-bench-${name}`,
    upstreamUrl: tb.upstreamUrl,
    network: NET.testNetwork,
    ...over,
  });
  const use = async (s: MirrorSettings, mode: MirrorMode = 'proxy') => {
    const m = new Mirror({ docker, settings: s, mode });
    await m.up().catch(() => {}); // a registry that cannot start is what is measured
    await setMirrors([m.mirrorUrl]);
    return m;
  };

  const rows: Record<string, Record<string, Outcome | Outcome[]>> = {};
  const dirs: Record<string, string> = {};
  try {
    for (const image of ['registry:2', 'registry:3']) {
      const row: Record<string, Outcome | Outcome[]> = {};
      const tag = image.replace(':', '');
      await startUpstream(docker);
      const s = await settingsFor(image, tag);
      dirs[image] = s.dataDir;
      let m = await use(s);
      row.coldPulls = await pullAllOutcomes(docker);

      await stopUpstream(docker);
      row.cachedPullsUpstreamStopped = await pullAllOutcomes(docker);
      await docker.getContainer(s.containerName).restart({ t: 1 });
      row.restartUpstreamStopped = await stateAfterStart(docker, s.containerName, m.baseUrl);
      await startUpstream(docker);
      await m.remove();

      // An upstream that accepts connections and never answers.
      const held: Socket[] = [];
      const hole = createServer((c) => held.push(c));
      await new Promise<void>((r) => hole.listen(0, gw, r));
      const hanging = { ...s, upstreamUrl: `http://${gw}:${(hole.address() as { port: number }).port}` };
      m = await use(hanging);
      row.startUpstreamHanging = await stateAfterStart(docker, s.containerName, m.baseUrl);
      row.cachedPullsUpstreamHanging = await pullAllOutcomes(docker);
      for (const c of held) c.destroy();
      hole.close();
      await m.remove();

      // Never reachable at all: the name does not resolve.
      m = await use({ ...s, upstreamUrl: 'http://upstream.invalid:5000' });
      row.startUpstreamUnresolvable = await stateAfterStart(docker, s.containerName, m.baseUrl);
      await m.remove();
      rows[image] = row;
    }

    // One cache, both versions: 2.8's cache served by 3.1, then 3.1's additions served by 2.8.
    const sw: Record<string, Outcome | Outcome[] | number> = {};
    const shared = { ...(await settingsFor('registry:3', 'switch')), dataDir: dirs['registry:2']! };
    await startUpstream(docker);
    let m = await use(shared);
    let mark = (await upstreamRequests(docker)).length;
    sw.pullsBy3FromCacheOf2 = await pullAllOutcomes(docker);
    sw.upstreamBlobFetchesBy3 = (await upstreamRequests(docker))
      .slice(mark)
      .filter((r) => r.method === 'GET' && r.path.includes('/blobs/')).length;
    sw.newPullBy3 = await pullAllOutcomes(docker, ['library/app-two:latest']);
    await m.remove();
    await stopUpstream(docker);
    m = await use(shared, 'offline');
    sw.offlinePullsBy3 = await pullAllOutcomes(docker, [...CACHED, 'library/app-two:latest']);
    await m.remove();
    m = await use({ ...shared, image: 'registry:2' }, 'offline');
    sw.offlinePullsBack2 = await pullAllOutcomes(docker, [...CACHED, 'library/app-two:latest']);
    await m.remove();
    await startUpstream(docker);
    m = await use({ ...shared, image: 'registry:2' });
    mark = (await upstreamRequests(docker)).length;
    sw.pullsBy2Back = await pullAllOutcomes(docker, [...CACHED, 'library/app-two:latest']);
    sw.upstreamBlobFetchesBy2Back = (await upstreamRequests(docker))
      .slice(mark)
      .filter((r) => r.method === 'GET' && r.path.includes('/blobs/')).length;
    await m.remove();
    return { rows, switch: sw };
  } finally {
    await startUpstream(docker);
    await setMirrors([]);
    await removeLocalImages(docker, [...CACHED, 'library/app-two:latest']);
  }
}

export async function main(): Promise<void> {
  console.log(JSON.stringify(await benchOffline(), null, 2));
}
