// `env` and `ssh`: how a client reaches a machine's engine, and a command run in the machine.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { Fail, load, machineDir, rootOf, running, target } from './state.mjs';

const HERE = dirname(new URL(import.meta.url).pathname);

export function env(args) {
  let shell = '';
  const names = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--shell') shell = args[++i] ?? '';
    else if (args[i].startsWith('--shell=')) shell = args[i].slice(8);
    else if (['--swarm', '--no-proxy', '-u', '--unset'].includes(args[i]))
      throw new Fail(`the docker-machine stand-in does not emulate env ${args[i]}`);
    else names.push(args[i]);
  }
  if (names.length > 1) throw new Fail('Error: Expected one machine name as an argument');
  const m = load(target(names));
  if (!running(m)) throw new Fail('Error checking TLS connection: Host is not running');
  shell ||= (process.env.SHELL ?? '').split('/').pop();
  if (!shell) throw new Fail('Error: Unknown shell');
  const [prefix, delim, suffix] = {
    fish: ['set -gx ', ' "', '";\n'],
    powershell: ['$Env:', ' = "', '"\n'],
    cmd: ['SET ', '=', '\n'],
  }[shell] ?? ['export ', '="', '"\n'];
  const vars = [
    ['DOCKER_TLS_VERIFY', '1'],
    ['DOCKER_HOST', m.dockerHost],
    ['DOCKER_CERT_PATH', machineDir(m.name)],
    ['DOCKER_MACHINE_NAME', m.name],
  ];
  const invocation = ['docker-machine', 'env', ...args].join(' ');
  const hint =
    shell === 'fish'
      ? `eval (${invocation})`
      : shell === 'powershell'
        ? `& ${invocation} | Invoke-Expression`
        : `eval $(${invocation})`;
  const comment = shell === 'cmd' ? 'REM' : '#';
  return (
    vars.map(([k, v]) => `${prefix}${k}${delim}${v}${suffix}`).join('') +
    `${comment} Run this command to configure your shell: \n${comment} ${hint}\n`
  );
}

/** Applies `fn` to the parts of a shell command outside quotes: file contents in quotes stay as they are. */
function outsideQuotes(command, fn) {
  let out = '';
  let plain = '';
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (c !== "'" && c !== '"') {
      plain += c;
      continue;
    }
    let j = command.indexOf(c, i + 1);
    if (j < 0) j = command.length - 1;
    out += fn(plain) + command.slice(i, j + 1);
    plain = '';
    i = j;
  }
  return out + fn(plain);
}

export function ssh(args) {
  const m = load(target(args.slice(0, 1)));
  if (!running(m)) throw new Fail(`Error: Cannot run SSH command: Host "${m.name}" is not running`);
  if (args.length < 2)
    throw new Fail('the docker-machine stand-in has no interactive ssh session: give a command');
  // Like ssh: the arguments joined by spaces, run by the machine's shell. The VM's disk is a directory.
  const command = outsideQuotes(args.slice(1).join(' '), (part) =>
    part.replaceAll('/var/lib/boot2docker', join(rootOf(m.name), 'var', 'lib', 'boot2docker')),
  );
  const r = spawnSync('/bin/sh', ['-c', command], {
    stdio: 'inherit',
    env: {
      PATH: `${join(HERE, 'remote-bin')}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`,
      HOME: rootOf(m.name),
      USER: 'docker',
    },
  });
  if (r.status !== 0) throw new Fail(`exit status ${r.status ?? 255}`);
  return '';
}
