// Lint for the whole workspace: typescript-eslint's type-checked rules (which catch unawaited and
// misused promises) on every package, with Prettier owning the layout. `pnpm lint` runs it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig([
  globalIgnores([
    '**/node_modules/',
    '**/dist/',
    'db/migrations/',
    'bench/results/',
    'test/artifacts/',
  ]),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        // Each file is checked with the tsconfig that compiles it.
        project: ['./tsconfig.json', './*/tsconfig.json', './web-client/tsconfig.node.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    files: ['web-client/src/**'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  prettier,
]);
