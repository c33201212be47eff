import { defineConfig } from 'vitest/config';
import { ENGINE_NEUTRAL_SERVICE_TESTS, SQLITE_ONLY_SERVICE_TESTS } from './test/engines.ts';

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
    exclude: ['**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    globalSetup: ['./test/services-global-setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: ['{contract,db,auth-service,agent,web-client,test,scripts}/**/*.test.ts'],
        },
      },
      {
        // The auth service's tests again, with every test server on PostgreSQL (test/engines.ts).
        extends: true,
        test: {
          name: 'postgres',
          include: ['auth-service/**/*.test.ts'],
          exclude: [
            '**/node_modules/**',
            ...SQLITE_ONLY_SERVICE_TESTS,
            ...ENGINE_NEUTRAL_SERVICE_TESTS,
          ],
          env: { ATTUNE_TEST_ENGINE: 'postgres' },
        },
      },
    ],
  },
});
