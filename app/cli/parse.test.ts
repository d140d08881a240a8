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
  it('takes the image to verify as an argument', () => {
    expect(parse('verify', 'alpine:3').positionals).toEqual(['alpine:3']);
    expect(() => parse('verify', 'a', 'b')).toThrow(/unexpected argument "b"/);
  });
  it("refuses unknown flags, commands, another command's flags and extra arguments", () => {
    expect(() => parse('up', '--prot', '1')).toThrow(/Unknown option '--prot'/);
    expect(() => parse('upp')).toThrow(/unknown command "upp"/);
    expect(() => parse('up', 'now')).toThrow(/unexpected argument "now"/);
    expect(() => parse('status', '--follow')).toThrow(/Unknown option '--follow'/);
    expect(() => settingsChange(parse('up', '--port', 'x').values)).toThrow(/port must be a number/);
  });
  it('lists every command in the usage text', () => {
    const text = usage(COMMANDS);
    for (const c of COMMANDS) expect(text).toMatch(new RegExp(`^  ${c.name} `, 'm'));
    expect(parse('up', '--help').command).toBe('help');
  });
});
