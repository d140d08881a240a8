// The config.yml keys CNCF Distribution 3.1.1 reads, for the sections a mirror uses: from its
// configuration/configuration.go (struct yaml tags), the storage drivers' parameters (docs/content/
// storage-drivers/s3.md, filesystem driver.go) and the htpasswd access controller (auth/htpasswd/
// access.go). Its parser (gopkg.in/yaml.v2, not strict) ignores a key it does not know, so a misspelt
// key would pass the registry's own parsing silently: tests check rendered configs against this instead.
// `true`: a value (any shape); `'map'`: free keys; an object: the keys inside.
export type KeyTree = { [key: string]: KeyTree | true | 'map' };

const redisOptions = Object.fromEntries(
  [
    'addrs',
    'clientname',
    'db',
    'protocol',
    'username',
    'password',
    'sentinelusername',
    'sentinelpassword',
    'maxretries',
    'minretrybackoff',
    'maxretrybackoff',
    'dialtimeout',
    'readtimeout',
    'writetimeout',
    'contexttimeoutenabled',
    'poolfifo',
    'poolsize',
    'pooltimeout',
    'minidleconns',
    'maxidleconns',
    'maxactiveconns',
    'connmaxidletime',
    'connmaxlifetime',
    'maxredirects',
    'readonly',
    'routebylatency',
    'routerandomly',
    'mastername',
    'disableidentity',
    'identitysuffix',
    'unstableresp3',
  ].map((k) => [k, true as const]),
);

const s3 = Object.fromEntries(
  [
    'accesskey',
    'secretkey',
    'region',
    'regionendpoint',
    'forcepathstyle',
    'bucket',
    'encrypt',
    'keyid',
    'secure',
    'skipverify',
    'v4auth',
    'chunksize',
    'multipartcopychunksize',
    'multipartcopymaxconcurrency',
    'multipartcopythresholdsize',
    'rootdirectory',
    'storageclass',
    'useragent',
    'usedualstack',
    'accelerate',
    'usefipsendpoint',
    'objectacl',
    'loglevel',
  ].map((k) => [k, true as const]),
);

export const DISTRIBUTION_3_KEYS: KeyTree = {
  version: true,
  log: {
    accesslog: { disabled: true },
    level: true,
    formatter: true,
    fields: 'map',
    hooks: true,
    reportcaller: true,
  },
  storage: {
    s3,
    filesystem: { rootdirectory: true, maxthreads: true },
    cache: { blobdescriptor: true, blobdescriptorsize: true },
    redirect: { disable: true },
    delete: { enabled: true },
    tag: { concurrencylimit: true },
    maintenance: {
      uploadpurging: { enabled: true, age: true, interval: true, dryrun: true },
      readonly: { enabled: true },
    },
  },
  auth: { htpasswd: { realm: true, path: true } },
  http: {
    addr: true,
    net: true,
    host: true,
    prefix: true,
    secret: true,
    relativeurls: true,
    draintimeout: true,
    tls: {
      certificate: true,
      key: true,
      clientcas: true,
      clientauth: true,
      minimumtls: true,
      ciphersuites: true,
      letsencrypt: true,
    },
    headers: 'map',
    debug: { addr: true, prometheus: { enabled: true, path: true } },
    http2: { disabled: true },
    h2c: { enabled: true },
  },
  redis: { ...redisOptions, tls: { certificate: true, key: true, rootcas: true } },
  health: {
    file: true,
    http: true,
    tcp: true,
    storagedriver: { enabled: true, interval: true, threshold: true },
  },
  proxy: { remoteurl: true, username: true, password: true, exec: true, ttl: true, cachewritetimeout: true },
};

/** Keys of `doc` that `tree` does not have, as dotted paths. */
export function unknownKeys(doc: unknown, tree: KeyTree = DISTRIBUTION_3_KEYS, path = ''): string[] {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(doc)) {
    const here = path ? `${path}.${key}` : key;
    const known = tree[key];
    if (known === undefined) out.push(here);
    else if (typeof known === 'object') out.push(...unknownKeys(value, known, here));
  }
  return out;
}

/** Whether an environment variable REGISTRY_A_B_C names a key the tree has (a.b.c). */
export function envNamesKey(name: string, tree: KeyTree = DISTRIBUTION_3_KEYS): boolean {
  const parts = name
    .replace(/^REGISTRY_/, '')
    .toLowerCase()
    .split('_');
  let node: KeyTree | true | 'map' = tree;
  for (const p of parts) {
    if (typeof node !== 'object') return false;
    node = node[p]!;
    if (node === undefined) return false;
  }
  return node === true;
}
