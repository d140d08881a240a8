// Prunes killed at random moments, each followed by the next open's recovery, until N (default 200)
// prune processes died by the kill: prunes of library/app-one or library/twotags in turn (pulled back
// first), each in a process of its own (testbed/prune-child.ts) that gets SIGKILL a random moment after
// its prune began (its first step on stderr; seeded: the same run again with the same --seed), then
// `recoverPrune`, as every open of the mirror runs it. After each: no blob a kept repository marks is
// missing or corrupted, no link of a kept repository dangles; every 20th round and at the end every
// kept image pulls from the cache alone (the mirror in offline mode), digests checked.
// Run: npm run bench -- prune-kills [N] [--seed S]   (as root; uses the test bed)
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { readJournal } from '../app/cache/prune/journal.js';
import { recoverPrune } from '../app/cache/prune/recover.js';
import { blobDataPath, storeLayout } from '../app/cache/scan/layout.js';
import { scanStore } from '../app/cache/scan/scanner.js';
import { Mirror } from '../app/mirror/mirror.js';
import { mirrorDirs } from '../app/mirror/settings.js';
import { engine } from '../testbed/dockerd.js';
import { MULTI } from '../testbed/fixtures.js';
import { ensureTestbed } from '../testbed/index.js';
import { benchMirrorSettings } from './mirror-settings.js';
import { httpPull, sha } from './soak.js';
import { random } from './synthetic-store.js';

const KEPT = [
  { repo: 'library/busybox', tag: 'latest' },
  { repo: 'library/app-two', tag: 'latest' },
  { repo: MULTI.repo, tag: MULTI.tag },
];
/**
 * Kills land this long at most after the parent sees the prune's first step: on this small store a
 * whole prune takes about that long from there (measured: with 600 ms, 9 in 10 had finished).
 */
const KILL_WITHIN_MS = 120;
const VICTIMS = [
  { repo: 'library/app-one', tag: 'latest' },
  { repo: 'library/twotags', tag: 'v1' },
];

export async function main(args: string[]): Promise<void> {
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 200);
  const si = args.indexOf('--seed');
  const seed = si >= 0 ? Number(args[si + 1]) : 20261206;
  const rnd = random(seed);
  const tb = await ensureTestbed();
  const docker = engine();
  const settings = await benchMirrorSettings(tb, `drpc-prune-kills-${process.pid}`, 'drpc-prune-kills');
  const mirror = new Mirror({ docker, settings });
  await mirror.up();
  // Pulls go straight to the mirror (httpPull): dockerd's mirror setting stays another run's.
  const store = mirrorDirs(settings).data;
  for (const r of [...KEPT, ...VICTIMS]) await httpPull(mirror.baseUrl, r.repo, r.tag);

  const tally = {
    killed: 0,
    finished: 0,
    steps: {} as Record<string, number>,
    actions: {} as Record<string, number>,
  };
  const damage: string[] = [];
  const offlineChecks: string[] = [];
  const offlinePulls = async (round: number) => {
    await mirror.inMode('offline').up();
    try {
      for (const r of KEPT) {
        await httpPull(mirror.baseUrl, r.repo, r.tag).catch((e: Error) =>
          damage.push(`round ${round}: ${r.repo}:${r.tag} offline: ${e.message}`),
        );
      }
      offlineChecks.push(`round ${round}`);
    } finally {
      await mirror.inMode('proxy').up();
    }
  };
  const t0 = Date.now();
  // Until n prunes were killed (a kill that lands after the prune finished does not count).
  let round = 0;
  while (tally.killed < n && round < 10 * n) {
    round++;
    const victim = VICTIMS[round % VICTIMS.length]!;
    await httpPull(mirror.baseUrl, victim.repo, victim.tag).catch(() => {});
    const delay = Math.floor(rnd() * KILL_WITHIN_MS);
    const child = execFile(process.execPath, [
      '--import',
      'tsx',
      'testbed/prune-child.ts',
      JSON.stringify({ dockerHost: tb.dockerHost, settings, items: [{ repo: victim.repo }] }),
    ]);
    let timer: NodeJS.Timeout | undefined;
    let seen = '';
    child.stderr?.on('data', (d: Buffer) => {
      seen += d.toString();
      if (!timer && seen.includes('step planned')) timer = setTimeout(() => child.kill('SIGKILL'), delay);
    });
    const end = await new Promise<string>((r) => child.on('exit', (c, sig) => r(sig ?? String(c))));
    clearTimeout(timer);
    const step =
      (await readJournal(settings.dataDir))?.step ??
      (end === 'SIGKILL' ? 'no journal (before it, or after the prune)' : 'done');
    if (end === 'SIGKILL') tally.killed++;
    else tally.finished++;
    tally.steps[step] = (tally.steps[step] ?? 0) + 1;
    // The next open.
    const rec = await recoverPrune(docker, mirror);
    tally.actions[rec.action] = (tally.actions[rec.action] ?? 0) + 1;
    if ((await mirror.status()).state !== 'running') await mirror.up();
    // Nothing a kept repository needs is missing or corrupted.
    const scan = await scanStore(store);
    for (const k of KEPT) {
      const r = scan.repositories.find((x) => x.name === k.repo);
      if (!r) {
        damage.push(`round ${round} (${step}): ${k.repo} gone`);
        continue;
      }
      for (const d of r.blobs) {
        if (!(d in scan.blobSizes)) {
          if (r.missingReferences.some((m) => m.digest === d)) continue; // a platform never pulled
          damage.push(`round ${round} (${step}): ${k.repo} misses ${d}`);
        } else if (sha(await readFile(blobDataPath(storeLayout(store), d))) !== d)
          damage.push(`round ${round} (${step}): ${d} corrupted`);
      }
    }
    for (const l of scan.missingLinks)
      if (KEPT.some((k) => k.repo === l.repository))
        damage.push(`round ${round} (${step}): dangling ${JSON.stringify(l)}`);
    if (round % 20 === 0) await offlinePulls(round);
    if (round % 10 === 0) console.error(`round ${round}: ${JSON.stringify(tally)}; damage ${damage.length}`);
  }
  await offlinePulls(round);
  await mirror.remove();
  console.log(
    JSON.stringify(
      {
        prunes: round,
        seed,
        minutes: Math.round((Date.now() - t0) / 600) / 100,
        killed: tally.killed,
        finishedBeforeTheKill: tally.finished,
        journalStepAtTheKill: tally.steps,
        recovery: tally.actions,
        keptBlobsMissingOrCorrupted: damage.length,
        offlineChecks: offlineChecks.length,
        examples: damage.slice(0, 10),
      },
      null,
      2,
    ),
  );
}
