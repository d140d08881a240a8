// A stand-in for docker-machine 0.16.2 (archived upstream), for tests: the documented subcommands,
// output formats, error texts and exit codes, over machines that are directories in
// $MACHINE_STORAGE_PATH whose "VM" is the test bed's real dockerd reached over TCP with TLS.
// What it does not emulate is listed in README.md next to it.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ls } from './ls.mjs';
import { env, ssh } from './remote.mjs';
import {
  bootEngine,
  engine,
  Fail,
  load,
  machineDir,
  NAME,
  notExist,
  profilePath,
  recordPath,
  renderProfile,
  rootOf,
  running,
  save,
  target,
  urlOf,
  VERSION,
  where,
} from './state.mjs';

let argv = process.argv.slice(2);
// Global flags come before the subcommand.
while (argv[0]?.startsWith('-')) {
  const flag = argv.shift();
  if (flag === '-s' || flag === '--storage-path') where.storage = argv.shift() ?? where.storage;
  else if (flag.startsWith('--storage-path=')) where.storage = flag.slice('--storage-path='.length);
  else if (flag === '-v' || flag === '--version') argv = ['version'];
}

function create(args) {
  const e = engine();
  let driver = process.env.MACHINE_DRIVER || 'virtualbox';
  const o = {
    labels: [],
    insecureRegistry: [],
    registryMirror: [],
    arbitraryFlags: [],
    env: [],
    storageDriver: 'overlay2',
  };
  const driverOptions = {};
  const names = [];
  const lists = {
    '--engine-label': 'labels',
    '--engine-insecure-registry': 'insecureRegistry',
    '--engine-registry-mirror': 'registryMirror',
    '--engine-opt': 'arbitraryFlags',
    '--engine-env': 'env',
  };
  const pending = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [flag, inline] = a.includes('=')
      ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
      : [a, undefined];
    const value = () => inline ?? args[++i];
    if (flag === '-d' || flag === '--driver') driver = value();
    else if (flag in lists) o[lists[flag]].push(value());
    else if (flag === '--engine-storage-driver') o.storageDriver = value();
    else if (['--engine-install-url', '--tls-san', '--swarm-discovery', '--swarm-image'].includes(flag))
      value();
    else if (flag.startsWith('--')) pending.push([flag.slice(2), inline ?? true]);
    else names.push(a);
  }
  if (!(e.drivers ?? ['virtualbox', 'xhyve', 'none']).includes(driver)) {
    throw new Fail(
      `Driver "${driver}" not found. Do you have the plugin binary "docker-machine-driver-${driver}" accessible in your PATH?`,
    );
  }
  for (const [flag, value] of pending) {
    if (!flag.startsWith(`${driver}-`))
      throw new Fail(`Incorrect Usage: flag provided but not defined: -${flag}`);
    driverOptions[flag] = value;
  }
  if (!names.length) throw new Fail('Error: No machine name specified');
  if (names.length > 1)
    throw new Fail(`Invalid command line. Found extra arguments [${names.slice(1).join(' ')}]`);
  const [name] = names;
  if (!NAME.test(name))
    throw new Fail(
      'Error creating machine: Invalid hostname specified. Allowed hostname chars are: 0-9a-zA-Z . -',
    );
  if (existsSync(recordPath(name))) throw new Fail(`Docker machine "${name}" already exists`);
  o.labels.push(`provider=${driver}`);
  mkdirSync(join(rootOf(name), 'var', 'lib', 'boot2docker'), { recursive: true });
  for (const f of ['ca.pem', 'cert.pem', 'key.pem'])
    copyFileSync(join(e.certDir, f), join(machineDir(name), f));
  const m = {
    name,
    driver,
    state: 'Running',
    ip: e.ip,
    dockerHost: e.dockerHost,
    engineOptions: o,
    driverOptions,
    createArgs: args,
  };
  save(m);
  writeFileSync(profilePath(name), renderProfile(m));
  bootEngine(m);
  return [
    'Running pre-create checks...',
    'Creating machine...',
    `(${name}) Creating VM...`,
    'Waiting for machine to be running, this may take a few minutes...',
    'Detecting operating system of created instance...',
    'Waiting for SSH to be available...',
    'Detecting the provisioner...',
    'Provisioning with boot2docker...',
    'Copying certs to the local machine directory...',
    'Copying certs to the remote machine...',
    'Setting Docker configuration on the remote daemon...',
    'Checking connection to Docker...',
    'Docker is up and running!',
    `To see how to connect your Docker Client to the Docker Engine running on this virtual machine, run: docker-machine env ${name}`,
    '',
  ].join('\n');
}

function rm(args) {
  const yes = args.some((a) => a === '-y' || a === '-f' || a === '--force');
  const names = args.filter((a) => !a.startsWith('-'));
  if (!names.length) throw new Fail('Error: Expected to get one or more machine names as arguments');
  process.stdout.write(
    `About to remove ${names.join(', ')}\nWARNING: This action will delete both local reference and remote instance.\n`,
  );
  if (!yes) {
    process.stdout.write('Are you sure? (y/n): ');
    const answer = readFileSync(0, 'utf8').split('\n')[0].trim().toLowerCase();
    if (!answer.startsWith('y')) return '';
  }
  const errors = [];
  for (const n of names) {
    if (!existsSync(recordPath(n))) errors.push(`Error removing host "${n}": ${notExist(n).message}`);
    else {
      rmSync(machineDir(n), { recursive: true, force: true });
      process.stdout.write(`Successfully removed ${n}\n`);
    }
  }
  if (errors.length) throw new Fail(errors.join('\n'));
  return '';
}

function setState(args, verb) {
  const m = load(target(args));
  const done = { restart: 'Restarted', start: 'Started' }[verb];
  if (verb === 'stop') {
    if (!running(m)) throw new Fail(`Machine "${m.name}" is already stopped.`);
    m.state = 'Stopped';
    save(m);
    return `Stopping "${m.name}"...\nMachine "${m.name}" was stopped.\n`;
  }
  if (verb === 'start' && running(m)) throw new Fail(`Machine "${m.name}" is already running.`);
  m.state = 'Running';
  save(m);
  bootEngine(m);
  const head =
    verb === 'restart'
      ? `Restarting "${m.name}"...`
      : `Starting "${m.name}"...\nMachine "${m.name}" was started.`;
  return `${head}\nWaiting for SSH to be available...\nDetecting the provisioner...\n${done} machines may have new IP addresses. You may need to re-run the \`docker-machine env\` command.\n`;
}

async function main(cmd, args) {
  switch (cmd) {
    case 'version':
      return `${VERSION}\n`;
    case 'ls':
      return ls(args);
    case 'status':
      return `${load(target(args)).state}\n`;
    case 'ip':
      return args.length
        ? args
            .map((n) => {
              const m = load(n);
              if (!running(m)) throw new Fail('Error getting IP address: Host is not running');
              return `${m.ip}\n`;
            })
            .join('')
        : `${load(target(args)).ip}\n`;
    case 'url':
      return `${urlOf(load(target(args)))}\n`;
    case 'env':
      return env(args);
    case 'ssh':
      return ssh(args);
    case 'create':
      return create(args);
    case 'rm':
      return rm(args);
    case 'restart':
    case 'start':
    case 'stop':
      return setState(args, cmd);
    default:
      throw new Fail(
        `docker-machine: '${cmd}' is not a docker-machine command (or not emulated by the stand-in)`,
      );
  }
}

try {
  process.stdout.write(await main(argv[0] ?? 'help', argv.slice(1)));
} catch (err) {
  process.stderr.write(`${err.message}\n`);
  process.exit(err instanceof Fail ? err.code : 1);
}
