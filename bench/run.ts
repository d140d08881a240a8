// npm run bench -- <name>: runs one benchmark and prints its results (copied into docs/benchmarks.md).
const benches: Record<string, () => Promise<{ main: (args: string[]) => Promise<void> }>> = {
  pull: () => import('./pull.js'),
  ui: () => import('./ui.js'),
  scan: () => import('./scan.js'),
  prune: () => import('./prune.js'),
  offline: () => import('./offline.js'),
  soak: () => import('./soak.js'),
  'prune-soak': () => import('./prune-soak.js'),
  'prune-kills': () => import('./prune-kills.js'),
  team: () => import('./team.js'),
};
const name = process.argv[2];
const load = name ? benches[name] : undefined;
if (!load) {
  console.error(`usage: npm run bench -- <${Object.keys(benches).join('|')}>`);
  process.exit(2);
}
await (await load()).main(process.argv.slice(3));
