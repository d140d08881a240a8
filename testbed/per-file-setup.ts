// Runs before every test file: each starts on an engine holding no image but the registry's, so no
// layer left by an earlier file makes a pull skip it (the mirror would then not cache it).
import Docker from 'dockerode';
import { beforeAll, inject } from 'vitest';

beforeAll(async () => {
  if (process.env.DRPC_NO_TESTBED === '1') return;
  const tb = inject('testbed');
  if (!tb) return;
  const docker = new Docker({ socketPath: tb.socketPath });
  const keep = (await docker.getImage(tb.registryImage).inspect()).Id;
  for (const img of await docker.listImages({ all: true })) {
    if (img.Id !== keep)
      await docker
        .getImage(img.Id)
        .remove({ force: true })
        .catch(() => {});
  }
});
