import { describe, expect, it } from 'vitest';
import { COMMANDS } from './commands/index.js';
import { settingsChange } from './global-options.js';
import { parseCommandLine, usage } from './parse.js';

const parse = (...argv: string[]) => parseCommandLine(argv, COMMANDS);

describe('command line parsing', () => {
  it('defaults to status and maps global flags to settings', () => {
    expect((parse().command as { name: string }).name).toBe('status');
    const p = parse('--json', 'up', '--port', '5001', '--bind', '0.0.0.0', '--network', 'kind', '--no-wait');
    expect((p.command as { name: string }).name).toBe('up');
    expect(p.values['no-wait']).toBe(true);
    expect(settingsChange(p.values)).toEqual({ port: 5001, bindAddress: '0.0.0.0', network: 'kind' });
    expect(settingsChange(parse('up', '--network', '').values).network).toBeNull();
  });
  it('takes global options before or after the command, values included', () => {
    for (const argv of [
      ['--port', '5001', 'up'],
      ['--port=5001', 'up'],
      ['up', '--port', '5001'],
      ['--json', '--port', '5001', 'up', '--no-wait'],
      ['--data-dir', '/srv/drpc', '--port', '5001', 'up'],
    ]) {
      const p = parse(...argv);
      expect((p.command as { name: string }).name, argv.join(' ')).toBe('up');
      expect(p.positionals, argv.join(' ')).toEqual([]);
      expect(settingsChange(p.values).port, argv.join(' ')).toBe(5001);
    }
    const v = parse('--json', '--image', 'alpine:3', 'verify', 'busybox');
    expect(v.values).toMatchObject({ json: true, image: 'alpine:3' });
    expect(v.positionals).toEqual(['busybox']);
    // A command's own option before the command name.
    expect(parse('--tail', '5', 'logs').values.tail).toBe('5');
    expect(parse('--json').values.json).toBe(true);
  });
  it('takes the image to verify as an argument', () => {
    expect(parse('verify', 'alpine:3').positionals).toEqual(['alpine:3']);
    expect(() => parse('verify', 'a', 'b')).toThrow(/unexpected argument "b"/);
  });
  it("refuses unknown flags, commands, another command's flags and extra arguments", () => {
    expect(() => parse('up', '--prot', '1')).toThrow(
      'unknown option --prot for drpc up (did you mean --port?); drpc up --help lists the options',
    );
    expect(() => parse('upp')).toThrow(/unknown command "upp"/);
    expect(() => parse('up', 'now')).toThrow(/unexpected argument "now"/);
    expect(() => parse('status', '--follow')).toThrow(
      'drpc status has no option --follow (logs takes it); drpc status --help lists its options',
    );
    expect(() => parse('--bogus', 'up')).toThrow(
      'unknown option --bogus for drpc; drpc help lists the options',
    );
    expect(() => parse('up', '--port')).toThrow('--port needs a value (--port VALUE or --port=VALUE)');
    expect(() => parse('up', '--json=yes')).toThrow('--json takes no value');
    expect(() => settingsChange(parse('up', '--port', 'x').values)).toThrow(/port must be a number/);
  });
  it('lists every command in the usage text', () => {
    const text = usage(COMMANDS);
    for (const c of COMMANDS) expect(text).toMatch(new RegExp(`^  ${c.name} `, 'm'));
    expect(parse('up', '--help').command).toBe('help');
  });
});
