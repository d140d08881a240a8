// A machine's engine as docker-machine describes it (`env`): DOCKER_HOST over TCP with TLS, the
// certificates in DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem), turned into a dockerode client.
import Docker from 'dockerode';
import { dockerodeOptions, endpointFromUrl } from '../../docker/connection.js';
import { readTlsDir } from '../../docker/context.js';
import { messageOf } from '../../util/errors.js';
import { configureError } from '../errors.js';
import type { DockerMachine } from './cli.js';

export interface MachineConnection {
  docker: Docker;
  /** the engine's address, e.g. 192.168.99.100 */
  host: string;
  dockerHost: string;
  description: string;
}

export async function connectionFromEnv(
  machine: string,
  env: Record<string, string>,
): Promise<MachineConnection> {
  const dockerHost = env.DOCKER_HOST;
  if (!dockerHost)
    throw configureError('COMMAND_FAILED', `docker-machine env ${machine} printed no DOCKER_HOST`, {
      machine,
    });
  const verify = !!env.DOCKER_TLS_VERIFY && env.DOCKER_TLS_VERIFY !== '0';
  try {
    const tls = env.DOCKER_CERT_PATH
      ? await readTlsDir(env.DOCKER_CERT_PATH, { verify, requireCa: verify })
      : undefined;
    const ep = endpointFromUrl(dockerHost, tls);
    if (ep.kind !== 'tcp') throw new Error(`${dockerHost} is not a tcp:// address`);
    return {
      docker: new Docker({ ...dockerodeOptions(ep), timeout: 30_000 }),
      host: ep.host,
      dockerHost,
      description: `docker-machine ${machine}: ${dockerHost}${tls ? ' (TLS)' : ''}`,
    };
  } catch (err) {
    throw configureError(
      'COMMAND_FAILED',
      `cannot connect to machine ${machine}'s engine: ${messageOf(err)}`,
      { machine },
    );
  }
}

/** The machine's engine, asking docker-machine where it is now (the address can change on restart). */
export async function connectMachine(dm: DockerMachine, machine: string): Promise<MachineConnection> {
  return connectionFromEnv(machine, await dm.env(machine));
}
