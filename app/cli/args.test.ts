import { describe, expect, it } from 'vitest';
import { parseCli } from './args.js';

describe('parseCli', () => {
  it('defaults to status and maps flags to settings', () => {
    expect(parseCli([]).command).toBe('status');
    const a = parseCli(['up', '--port', '5001', '--bind', '0.0.0.0', '--network', 'kind', '--json']);
    expect(a).toMatchObject({
      command: 'up',
      json: true,
      change: { port: 5001, bindAddress: '0.0.0.0', network: 'kind' },
    });
    expect(parseCli(['up', '--network', '']).change.network).toBeNull();
  });
  it('treats --image as the image to pull for verify, the registry image otherwise', () => {
    expect(parseCli(['verify', '--image', 'alpine:3']).image).toBe('alpine:3');
    expect(parseCli(['verify', '--image', 'alpine:3']).change.image).toBeUndefined();
    expect(parseCli(['up', '--image', 'registry:3']).change.image).toBe('registry:3');
  });
  it('refuses unknown flags, commands and extra arguments', () => {
    expect(() => parseCli(['up', '--prot', '1'])).toThrow(/Unknown option/);
    expect(() => parseCli(['upp'])).toThrow(/unknown command "upp"/);
    expect(() => parseCli(['up', 'now'])).toThrow(/unexpected argument "now"/);
    expect(() => parseCli(['logs', '--tail', 'x'])).toThrow(/--tail takes a number/);
  });
});
