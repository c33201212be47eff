import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{db,auth-service,agent,web-client,test,scripts}/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
