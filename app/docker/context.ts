// The docker CLI's on-disk configuration: config.json, the context store and TLS material.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export class EngineConfigError extends Error {
  readonly code = 'ENGINE_CONFIG';
  /** The file the problem is in (or that is missing), when there is one. */
  readonly file?: string;

  constructor(message: string, file?: string) {
    super(message);
    this.name = 'EngineConfigError';
    if (file !== undefined) this.file = file;
  }
}

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Verify the engine's certificate (false: encrypt only, like `--tls` without `--tlsverify`). */
  verify: boolean;
}

export interface DockerContext {
  name: string;
  /** The context's meta.json. */
  file: string;
  host: string;
  skipTLSVerify: boolean;
  /** The context's own TLS directory (`.../docker`), whose pem files may or may not exist. */
  tlsDir: string;
}

export function dockerConfigDir(env: NodeJS.ProcessEnv, homeDir: string): string {
  return env.DOCKER_CONFIG || join(homeDir, '.docker');
}

/** The context store names directories by the sha256 of the context name. */
export function contextDirName(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

/** undefined when the file does not exist; any other failure is an error naming the file. */
async function readOptional(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EngineConfigError(`Cannot read ${file}: ${(err as Error).message}`, file);
  }
}

function parseJson(text: Buffer, file: string): unknown {
  try {
    return JSON.parse(text.toString('utf8'));
  } catch (err) {
    throw new EngineConfigError(`${file} is not valid JSON: ${(err as Error).message}`, file);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The context the docker CLI would use, or undefined for the default (no context). */
export async function currentContextName(
  env: NodeJS.ProcessEnv,
  configDir: string,
): Promise<string | undefined> {
  let name = env.DOCKER_CONTEXT;
  if (!name) {
    const file = join(configDir, 'config.json');
    const text = await readOptional(file);
    if (text === undefined) return undefined;
    const config = parseJson(text, file);
    if (!isObject(config)) throw new EngineConfigError(`${file} is not a JSON object`, file);
    const current = config.currentContext;
    if (current !== undefined && typeof current !== 'string') {
      throw new EngineConfigError(`${file}: currentContext is not a string`, file);
    }
    name = current;
  }
  return !name || name === 'default' ? undefined : name;
}

export async function readContext(configDir: string, name: string): Promise<DockerContext> {
  const dir = contextDirName(name);
  const file = join(configDir, 'contexts', 'meta', dir, 'meta.json');
  const text = await readOptional(file);
  if (text === undefined) {
    throw new EngineConfigError(`Docker context "${name}" does not exist: no ${file}`, file);
  }
  const meta = parseJson(text, file);
  const docker = isObject(meta) && isObject(meta.Endpoints) ? meta.Endpoints.docker : undefined;
  if (!isObject(docker) || typeof docker.Host !== 'string' || !docker.Host) {
    throw new EngineConfigError(`Docker context "${name}" has no docker endpoint host in ${file}`, file);
  }
  return {
    name,
    file,
    host: docker.Host,
    skipTLSVerify: docker.SkipTLSVerify === true,
    tlsDir: join(configDir, 'contexts', 'tls', dir, 'docker'),
  };
}

/**
 * Reads ca.pem, cert.pem and key.pem from dir, as the docker CLI does: the CA is required only when
 * verifying; a client certificate is optional but cert and key come together.
 */
export async function readTlsDir(
  dir: string,
  opts: { verify: boolean; requireCa: boolean },
): Promise<TlsMaterial> {
  const [ca, cert, key] = await Promise.all(
    ['ca.pem', 'cert.pem', 'key.pem'].map((f) => readOptional(join(dir, f))),
  );
  const missing = (f: string) => new EngineConfigError(`TLS file ${join(dir, f)} is missing`, join(dir, f));
  if (opts.requireCa && !ca) throw missing('ca.pem');
  if (cert && !key) throw missing('key.pem');
  if (key && !cert) throw missing('cert.pem');
  const tls: TlsMaterial = { verify: opts.verify };
  // Without verification the CLI ignores the CA, so a stale ca.pem cannot break the connection.
  if (ca && opts.verify) tls.ca = ca;
  if (cert && key) Object.assign(tls, { cert, key });
  return tls;
}

/** A context's TLS settings, or undefined when it uses none (plain tcp). */
export async function contextTls(ctx: DockerContext): Promise<TlsMaterial | undefined> {
  const tls = await readTlsDir(ctx.tlsDir, { verify: !ctx.skipTLSVerify, requireCa: false });
  const hasMaterial = tls.ca || tls.cert;
  return hasMaterial || ctx.skipTLSVerify ? tls : undefined;
}
