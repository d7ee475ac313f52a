import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'src/generated/',
      'emulator/src/generated/',
      'examples/typed-client/gql/',
      'examples/dashboard/src/gql/',
      'examples/dashboard/dist/',
      'examples/dashboard/.dist-*/',
      'test-artifacts/',
      '.data/',
      'coverage/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  // The boundary between the product and the emulator package, both ways.
  // The emulator imports nothing of the subgraph but W&B's id encoding and sampling
  // (src/wandb/protocol.ts): from a file n folders deep in emulator/, a path
  // with n+1 leading '../' leaves the package.
  ...[1, 2, 3, 4].map((depth) => ({
    files: [`emulator/${'*/'.repeat(depth)}*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^${'\\.\\./'.repeat(depth + 1)}(?!src/wandb/protocol\\.js$)`,
              message: 'The emulator is a package of its own: it shares only src/wandb/protocol.ts with the subgraph.',
            },
            { regex: '^wandb-runs-subgraph($|/)', message: 'The emulator does not depend on the subgraph.' },
          ],
        },
      ],
    },
  })),
  {
    // The product (src/ and resolvers/) never reaches the emulator: only the demo entry loads it, by dynamic import.
    files: ['src/**/*.ts', 'resolvers/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '(^|/)emulator/', message: 'The product does not import the emulator (demo entry, scripts and tests excepted).' },
            { regex: '^wandb-emulator($|/)', message: 'The product does not import the emulator (demo entry, scripts and tests excepted).' },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'emulator/test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
