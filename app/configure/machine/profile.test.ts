// Profile editing on real boot2docker profile contents, checked the way boot2docker reads the file:
// sourced by /bin/sh, with $EXTRA_ARGS word-split onto dockerd's command line.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../testbed/helpers.js';
import { addMirrorFlags, extraArgs, hasMirrorFlags, mirrorFlagsFor, removeMirrorFlags } from './profile.js';

/** What docker-machine's boot2docker provisioner writes (libmachine/provision/boot2docker.go). */
function machineProfile(flags: string[]): string {
  return (
    `\nEXTRA_ARGS='\n${flags.map((f) => `${f}\n`).join('')}\n'\nCACERT=/var/lib/boot2docker/ca.pem\n` +
    "DOCKER_HOST='-H tcp://0.0.0.0:2376'\nDOCKER_STORAGE=overlay2\nDOCKER_TLS=auto\n" +
    'SERVERKEY=/var/lib/boot2docker/server-key.pem\nSERVERCERT=/var/lib/boot2docker/server.pem\n\n\n'
  );
}

/** boot2docker's view: `. profile`, then the variables; EXTRA_ARGS as dockerd gets it (unquoted). */
function sourced(text: string): { words: string[]; vars: string } {
  const file = join(tempDir('drpc-profile-'), 'profile');
  writeFileSync(file, text);
  const r = spawnSync(
    '/bin/sh',
    [
      '-c',
      '. "$1"; printf "%s\\n" $EXTRA_ARGS; echo ---; echo "$CACERT|$DOCKER_HOST|$DOCKER_STORAGE|$DOCKER_TLS"',
      'sh',
      file,
    ],
    { encoding: 'utf8' },
  );
  expect(r.status, r.stderr).toBe(0);
  const [words = '', vars = ''] = r.stdout.split('---\n');
  return { words: words.split('\n').filter(Boolean), vars: vars.trim() };
}

const flags = mirrorFlagsFor('192.168.99.100', 5000);
const ours = [
  '--insecure-registry',
  '192.168.99.100:5000',
  '--registry-mirror',
  'http://192.168.99.100:5000',
];

describe('boot2docker profile: EXTRA_ARGS', () => {
  const cases: Array<[string, string, string[]]> = [
    [
      'docker-machine provisioned, a label only',
      machineProfile(['--label provider=virtualbox']),
      ['--label', 'provider=virtualbox'],
    ],
    [
      'docker-machine provisioned with other registry flags',
      machineProfile([
        '--label provider=xhyve',
        '--insecure-registry registry:5000',
        '--registry-mirror http://registry:5000',
      ]),
      [
        '--label',
        'provider=xhyve',
        '--insecure-registry',
        'registry:5000',
        '--registry-mirror',
        'http://registry:5000',
      ],
    ],
    ['docker-machine provisioned, no flags at all', machineProfile([]), []],
    [
      'one line, double quotes',
      'DOCKER_TLS=no\nEXTRA_ARGS="--dns 8.8.8.8 --debug"\n',
      ['--dns', '8.8.8.8', '--debug'],
    ],
    ['one bare word', "EXTRA_ARGS=--debug\nDOCKER_HOST='-H tcp://0.0.0.0:2375'\n", ['--debug']],
    ['empty', 'EXTRA_ARGS=\nDOCKER_TLS=no\n', []],
    [
      'an append to an earlier value',
      'EXTRA_ARGS=\'--debug\'\nexport EXTRA_ARGS="$EXTRA_ARGS --dns 1.1.1.1"\n',
      ['--debug', '--dns', '1.1.1.1'],
    ],
    [
      'no EXTRA_ARGS (a hand-written profile)',
      '# written by hand\nDOCKER_TLS=no\nDOCKER_STORAGE=overlay2\n',
      [],
    ],
    ['no profile yet', '', []],
  ];

  it.each(cases)('adds both flags once: %s', (_, text, before) => {
    expect(sourced(text).words).toEqual(before);
    const once = addMirrorFlags(text, flags);
    expect(once.changed).toBe(true);
    const after = sourced(once.text);
    expect(after.words).toEqual([...before, ...ours]);
    // Nothing else boot2docker reads changed.
    expect(after.vars).toBe(sourced(text).vars);
    expect(hasMirrorFlags(once.text, flags)).toEqual({ mirror: true, insecure: true });
    // Idempotent: a second run changes nothing.
    expect(addMirrorFlags(once.text, flags)).toEqual({ text: once.text, changed: false });
    // Removing takes out exactly our flags again.
    const removed = removeMirrorFlags(once.text, flags);
    expect(removed.changed).toBe(true);
    expect(sourced(removed.text).words).toEqual(before);
  });

  it("keeps docker-machine's layout: one flag a line, the rest byte for byte, and undoes to the same bytes", () => {
    const text = machineProfile(['--label provider=virtualbox']);
    const { text: edited } = addMirrorFlags(text, flags);
    expect(edited).toBe(
      machineProfile([
        '--label provider=virtualbox',
        '--insecure-registry 192.168.99.100:5000',
        '--registry-mirror http://192.168.99.100:5000',
      ]),
    );
    expect(removeMirrorFlags(edited, flags).text).toBe(text);
  });

  it('creates EXTRA_ARGS the way docker-machine writes it when there is none', () => {
    expect(addMirrorFlags('DOCKER_TLS=no', flags).text).toBe(
      "DOCKER_TLS=no\nEXTRA_ARGS='\n--insecure-registry 192.168.99.100:5000\n--registry-mirror http://192.168.99.100:5000\n'\n",
    );
  });

  it('recognises flags already there in any spelling and adds only what is missing', () => {
    const text = machineProfile(['--registry-mirror=HTTP://192.168.99.100:5000/']);
    const r = addMirrorFlags(text, flags);
    expect(sourced(r.text).words).toEqual([
      '--registry-mirror=HTTP://192.168.99.100:5000/',
      '--insecure-registry',
      '192.168.99.100:5000',
    ]);
    const both = machineProfile([
      '--insecure-registry=192.168.99.100:5000',
      '--registry-mirror http://192.168.99.100:5000',
    ]);
    expect(addMirrorFlags(both, flags)).toEqual({ text: both, changed: false });
  });

  it('leaves other mirrors alone when removing ours', () => {
    const text = machineProfile([
      '--registry-mirror http://10.0.0.9:5000',
      '--insecure-registry 10.0.0.9:5000',
    ]);
    const edited = addMirrorFlags(text, flags).text;
    expect(sourced(removeMirrorFlags(edited, flags).text).words).toEqual([
      '--registry-mirror',
      'http://10.0.0.9:5000',
      '--insecure-registry',
      '10.0.0.9:5000',
    ]);
  });

  it.each([
    [
      'an unterminated quote',
      "EXTRA_ARGS='--debug\nDOCKER_TLS=no\n",
      /quote opened at offset 11 is never closed/,
    ],
    ['command substitution', 'EXTRA_ARGS="$(cat /tmp/flags)"\n', /command substitution/],
    ['several quoted parts', `EXTRA_ARGS='--debug'"--dns 1.1.1.1"\n`, /several quoted parts/],
  ])('refuses a profile with %s, saying why', (_, text, why) => {
    expect(() => addMirrorFlags(text, flags)).toThrow(why);
    expect(() => addMirrorFlags(text, flags)).toThrow(/left as it is/);
  });

  it('is not fooled by EXTRA_ARGS inside comments or other values', () => {
    const text = "# EXTRA_ARGS='--old'\nNOTE='EXTRA_ARGS=--nope\nstill NOTE'\nEXTRA_ARGS='--debug'\n";
    expect(extraArgs(text)).toEqual(['--debug']);
    expect(sourced(addMirrorFlags(text, flags).text).words).toEqual(['--debug', ...ours]);
  });
});
