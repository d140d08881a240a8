import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.tools/', 'coverage/', 'out/', 'release/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Child processes get argument arrays, never shell strings.
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'node:child_process',
              importNames: ['exec', 'execSync'],
              message: 'Use execFile/spawn with an argument array: never a shell string.',
            },
            {
              name: 'child_process',
              message: 'Import node:child_process (execFile/spawn with argument arrays).',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "Property[key.name='shell'][value.value=true]",
          message: 'Never run child processes through a shell.',
        },
        {
          // Its 1 s default deadline fails on a loaded machine.
          selector:
            "CallExpression[callee.object.name='vi'][callee.property.name='waitFor'][arguments.length<2]",
          message: 'Use eventually() from testbed/eventually.ts (vi.waitFor gives up after 1 s by default).',
        },
      ],
    },
  },
  {
    files: ['app/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'app/ is plain Node: it never imports electron.' },
            {
              name: 'node:child_process',
              importNames: ['exec', 'execSync'],
              message: 'Use execFile/spawn with an argument array: never a shell string.',
            },
          ],
        },
      ],
    },
  },
);
