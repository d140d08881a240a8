// What the UI journeys need of the test bed. The global setup has brought it up and written its state
// (testbed/layout.ts paths.state); it is read from there because this project is type-checked with the
// DOM library (tsconfig.renderer.json), which testbed/index.ts's fixtures do not compile against.
import { readFileSync } from 'node:fs';
import Docker from 'dockerode';
import { paths } from '../../testbed/layout.js';

export interface TestbedState {
  dockerHost: string;
  socketPath: string;
  network: string;
  upstreamUrl: string;
  upstreamHostUrl: string;
  registryImage: string;
  daemonJson: string;
}

export function testbedState(): TestbedState {
  return JSON.parse(readFileSync(paths.state, 'utf8')) as TestbedState;
}

export function testbedDocker(): Docker {
  return new Docker({ socketPath: testbedState().socketPath });
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** docker pull through the engine (and so through the mirrors it is configured with). */
export async function pull(docker: Docker, ref: string): Promise<void> {
  const stream = await docker.pull(ref);
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, events: Array<{ error?: string }>) => {
      const failed = events?.find((e) => e.error);
      if (err) reject(err);
      else if (failed) reject(new Error(failed.error));
      else resolve();
    });
  });
}

/** Removes local copies so the next pull really fetches the layers (through the mirror). */
export async function removeImages(docker: Docker, refs: string[]): Promise<void> {
  for (const ref of refs) {
    await docker
      .getImage(ref)
      .remove({ force: true })
      .catch(() => {});
  }
}
