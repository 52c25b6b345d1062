// Lint rules: typescript-eslint's recommended set over all TypeScript in the project.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'test-results/**', '.vscode-test/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
      'no-restricted-imports': 'off',
    },
  },
  {
    // Layers (see design.md): only src/ui and the composition root may import vscode.
    files: ['src/core/**/*.ts', 'src/procedures/**/*.ts', 'src/adapters/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'Only src/ui and src/extension.ts may import vscode.' }] }],
    },
  },
  {
    // The core imports nothing that reaches the outside world.
    files: ['src/core/**/*.ts', 'src/procedures/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['vscode', 'ssh2', '@kubernetes/client-node'].map((name) => ({ name, message: 'core and procedures talk to the world through ports.' })),
          patterns: [{ group: ['**/adapters/**', '**/ui/**', '**/cli/**'], message: 'core and procedures import only core.' }],
        },
      ],
    },
  },
  {
    // Adapters never import procedures: what both need (contracts, image references, the DataMiner command catalogue
    // and its parsers in src/core/dataminer) lives in src/core.
    files: ['src/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'Only src/ui and src/extension.ts may import vscode.' }],
          patterns: [{ group: ['**/procedures/**', '**/ui/**', '**/cli/**'], message: 'adapters import core (shared contracts live there), never procedures, ui or cli.' }],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
