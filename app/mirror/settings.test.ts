import { describe, expect, it } from 'vitest';
import { applySettingsChange, defaultAppSettings } from '../settings/app-settings.js';
import { applyChange } from '../settings/mirror-settings-store.js';
import {
  defaultMirrorSettings,
  describeIssues,
  mirrorSettingsSchema,
  SETTING_NAMES,
  type MirrorSettings,
} from './settings.js';

const env = { DRPC_HOME: '/home/u/drpc', HOME: '/home/u' };
// One bad value per setting: typed by the settings' keys, so a new setting without one does not compile.
const BAD: Record<keyof MirrorSettings, unknown[]> = {
  port: [70000, 'five'],
  bindAddress: ['localhost', 7],
  upstreamUrl: ['ftp://example.com', 'https://u:p@example.com'],
  image: ['Not An Image', 'a'.repeat(300)],
  dataDir: ['relative/dir', '/proc/x', '/sys/fs/x', '/dev/shm/cache'],
  containerName: ['-leading-dash'],
  network: ['bad name'],
  restartPolicy: ['sometimes'],
  autoRecreate: ['yes'],
  upstreamCaFile: ['ca.pem', 7],
};
const INTERNAL =
  /bindAddress|upstreamUrl|upstreamCaFile|dataDir|containerName|restartPolicy|autoRecreate|\bport:/;

function issuesOf(field: keyof MirrorSettings, value: unknown) {
  const parsed = mirrorSettingsSchema.safeParse({ ...defaultMirrorSettings(env), [field]: value });
  expect(parsed.success, `${field} = ${JSON.stringify(value)}`).toBe(false);
  return parsed.error!;
}

describe('settings validation messages', () => {
  for (const [field, values] of Object.entries(BAD) as [keyof MirrorSettings, unknown[]][]) {
    const { label, flag } = SETTING_NAMES[field];
    for (const value of values) {
      it(`${field} = ${JSON.stringify(value).slice(0, 30)}: named "${flag ?? label}", never by its field name`, () => {
        const error = issuesOf(field, value);
        const asLabel = describeIssues(error);
        expect(asLabel.startsWith(label), asLabel).toBe(true);
        expect(asLabel).not.toMatch(INTERNAL);
        if (flag) {
          const asFlag = describeIssues(error, 'flags');
          expect(asFlag.startsWith(`${flag} `), asFlag).toBe(true);
          expect(asFlag).not.toMatch(INTERNAL);
          // What the CLI prints: applyChange is the flags' way in.
          expect(() => applyChange(defaultMirrorSettings(env), { [field]: value })).toThrow(asFlag);
        }
        // The settings file names the key a person would edit there.
        expect(describeIssues(error, 'file')).toMatch(new RegExp(`\\(key mirror\\.${field}\\)$`));
      });
    }
  }

  it('refuses kernel file systems as the data directory with a reason, in the app too', () => {
    expect(() => applyChange(defaultMirrorSettings(env), { dataDir: '/proc/x' })).toThrow(
      '--data-dir cannot be under /proc (the kernel’s process table, not a disk): choose a directory you can write to',
    );
    // The Settings view's change: the same check, the issue next to its field.
    expect(() => applySettingsChange(defaultAppSettings(env), { mirror: { dataDir: '/sys/drpc' } })).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        details: {
          issues: [
            {
              path: 'mirror.dataDir',
              message:
                'data directory cannot be under /sys (the kernel’s device and driver settings, not a disk): choose a directory you can write to',
            },
          ],
        },
      }),
    );
    for (const ok of ['/srv/drpc', '/procx/cache', '/devices/cache', '/home/u/proc'])
      expect(applyChange(defaultMirrorSettings(env), { dataDir: ok }).dataDir).toBe(ok);
  });
});
