// Child processes get argument arrays, never shell strings: the lint rules that enforce it really fire.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

describe('no shell strings', () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const lint = async (code: string) => {
    const [r] = await eslint.lintText(code, { filePath: 'app/example.ts' });
    return r!.messages.map((m) => m.message);
  };

  it('refuses exec and execSync, and shell: true', async () => {
    expect(await lint("import { exec } from 'node:child_process';\nexec('ls');\n")).toContainEqual(
      expect.stringMatching(/argument array: never a shell string/),
    );
    expect(
      await lint("import { execFile } from 'node:child_process';\nexecFile('ls', [], { shell: true });\n"),
    ).toContainEqual(expect.stringMatching(/Never run child processes through a shell/));
    expect(await lint("import { execFile } from 'node:child_process';\nexecFile('ls', ['-l']);\n")).toEqual(
      [],
    );
  });

  it('keeps electron out of app/', async () => {
    // Built from parts, so this file itself does not read as an app/ module importing electron.
    const importElectron = ['import { app } from ', "'electron'", ';\nexport const x = app;\n'].join('');
    expect(await lint(importElectron)).toContainEqual(expect.stringMatching(/app\/ is plain Node/));
  });
});
