// npm run testbed -- up | down | status : run the test bed by hand (for development and benchmarks).
import { ensureTestbed, readState, teardown } from './index.js';
import { isAlive } from './dockerd.js';

const cmd = process.argv[2] ?? 'status';
if (cmd === 'up') {
  const info = await ensureTestbed();
  console.log(JSON.stringify({ ...info, fixtures: undefined }, null, 2));
  console.log(`export DOCKER_HOST=${info.dockerHost}`);
} else if (cmd === 'down') {
  await teardown();
  console.log('test bed stopped and removed');
} else if (cmd === 'status') {
  const s = readState();
  console.log(s && isAlive(s.dockerdPid) ? `running: DOCKER_HOST=${s.dockerHost}` : 'not running');
} else {
  console.error('usage: testbed up|down|status');
  process.exit(2);
}
