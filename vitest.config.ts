import { defineConfig } from 'vitest/config';

/**
 * Workspace packages export their TypeScript sources under this condition and their compiled
 * output (dist/) otherwise: tests run on the sources, production on what `pnpm build` made.
 */
const SOURCES = '@attune/source';

export default defineConfig({
  resolve: { conditions: [SOURCES, 'module', 'browser', 'development|production'] },
  ssr: {
    resolve: {
      conditions: [SOURCES, 'node', 'development|production'],
      externalConditions: [SOURCES],
    },
  },
  test: {
    include: ['{contract,db,auth-service,agent,web-client,test,scripts}/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    globalSetup: ['./test/services-global-setup.ts'],
  },
});
