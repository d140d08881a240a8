// TLS for the test bed's dockerd: a CA, a server certificate for 127.0.0.1 and a client certificate,
// made once per test bed directory with the openssl CLI (argument arrays, no shell). The client side
// uses the names docker and docker-machine use (ca.pem, cert.pem, key.pem), so the directory works as
// DOCKER_CERT_PATH as it is.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { freeLoopbackPort } from './upstream.js';

export interface TlsFiles {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

export function tlsFiles(dir: string): TlsFiles {
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    serverCert: join(dir, 'server-cert.pem'),
    serverKey: join(dir, 'server-key.pem'),
    clientCert: join(dir, 'cert.pem'),
    clientKey: join(dir, 'key.pem'),
  };
}

function onPath(bin: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, bin), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Creates the certificates unless they are all there already; returns their paths. */
export function ensureTlsMaterial(dir: string): TlsFiles {
  const f = tlsFiles(dir);
  if ([f.ca, f.serverCert, f.serverKey, f.clientCert, f.clientKey].every((p) => existsSync(p))) return f;
  if (!onPath('openssl'))
    throw new Error('openssl is missing: apt-get install openssl (the TLS test bed needs it)');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const days = '3650';
  openssl(['genrsa', '-out', 'ca-key.pem', '2048'], dir);
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      'ca-key.pem',
      '-sha256',
      '-days',
      days,
      '-subj',
      '/CN=drpc test bed CA',
      '-out',
      'ca.pem',
    ],
    dir,
  );
  const sign = (name: string, key: string, cert: string, subject: string, ext: string) => {
    openssl(['genrsa', '-out', key, '2048'], dir);
    openssl(['req', '-new', '-key', key, '-subj', subject, '-out', `${name}.csr`], dir);
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca-key.pem',
        '-CAcreateserial',
      ].concat(['-days', days, '-sha256', '-extfile', `${name}.ext`, '-out', cert]),
      dir,
    );
  };
  // dockerd (Go) checks the SAN, never the CN; and a client certificate must allow clientAuth.
  sign(
    'server',
    'server-key.pem',
    'server-cert.pem',
    '/CN=127.0.0.1',
    'subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth\n',
  );
  sign('client', 'key.pem', 'cert.pem', '/CN=drpc test client', 'extendedKeyUsage = clientAuth\n');
  return f;
}

/** A loopback port for dockerd's TLS listener, chosen once and kept in the test bed directory. */
export async function tlsPort(file: string): Promise<number> {
  try {
    const saved = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(saved) && saved > 0 && saved < 65536) return saved;
  } catch {
    /* not chosen yet */
  }
  const port = await freeLoopbackPort();
  writeFileSync(file, `${port}\n`);
  return port;
}

/**
 * A server certificate for `names` (DNS names and IP addresses), signed by the test bed's CA in
 * `files.dir` (ensureTlsMaterial made it): for stand-in registries served over HTTPS. Made once.
 */
export function serverCertFor(files: TlsFiles, id: string, names: string[]): { cert: string; key: string } {
  const cert = join(files.dir, `${id}-cert.pem`);
  const key = join(files.dir, `${id}-key.pem`);
  if (existsSync(cert) && existsSync(key)) return { cert, key };
  const san = names.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  openssl(['genrsa', '-out', key, '2048'], files.dir);
  openssl(['req', '-new', '-key', key, '-subj', `/CN=${names[0]}`, '-out', `${id}.csr`], files.dir);
  writeFileSync(join(files.dir, `${id}.ext`), `subjectAltName = ${san}\nextendedKeyUsage = serverAuth\n`);
  openssl(
    ['x509', '-req', '-in', `${id}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial'].concat([
      '-days',
      '3650',
      '-sha256',
      '-extfile',
      `${id}.ext`,
      '-out',
      cert,
    ]),
    files.dir,
  );
  return { cert, key };
}
