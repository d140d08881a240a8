// A stand-in for main/index.ts, bundled with the main build's own config by
// main/scan-worker-bundle.test.ts: it starts the scan worker exactly as the bundled main process does
// (worker-scanner inlined into index.mjs, the worker looked for beside it) and prints what it scanned.
//   node out/main/index.mjs <storeDir>
import { createWorkerScanner } from '../../app/cache/scan/worker-scanner.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: index.mjs <storeDir>');
const scanner = createWorkerScanner(dir);
try {
  const s = await scanner.refreshSummary();
  process.stdout.write(
    JSON.stringify({ repositories: s.repositories.length, blobCount: s.blobCount }) + '\n',
  );
} finally {
  await scanner.close();
}
