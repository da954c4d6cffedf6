import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

// Workflows and domain code run in Temporal's deterministic sandbox: no Node built-ins, no I/O modules.
const sandboxMessage = 'workflows/ and domain/ run in the workflow sandbox: no Node built-ins or I/O modules';
const sandboxBans = {
  paths: [...builtinModules, 'mongodb', 'fastify', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'].map((name) => ({ name, message: sandboxMessage })),
  patterns: [
    { group: ['node:*'], message: sandboxMessage },
    { group: ['**/activities', '**/activities/*', '**/store/*', '**/config'], allowTypeImports: true, message: 'workflows import activities (and their ports) as types only' },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', 'data/', 'dist/', 'web/dist/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  // The browser workspace (web/): browser globals instead of Node's.
  { files: ['web/**/*.{ts,tsx}'], languageOptions: { globals: { ...globals.browser } } },
  {
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', sandboxBans] },
  },
  // Workflow code, type-aware (the project service reads tsconfig.json): a promise nobody awaits is an
  // activity, timer or update whose failure is lost and whose ordering against the rest of the workflow no
  // one decided (docs/determinism.md). Await it, return it, or mark a deliberate fire-and-forget with `void`.
  {
    files: ['workflows/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
);
