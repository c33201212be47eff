/**
 * Vitest global setup: the servers tests share. PostgreSQL: CI starts one and names it in
 * ATTUNE_TEST_POSTGRES_URL; otherwise (a developer's `pnpm test`) a throwaway server is started
 * here for the run and stopped after. Each test file then creates databases of its own on it.
 */
import { TEST_POSTGRES_URL_VAR, startPostgresServer } from '@attune/db/postgres-server';

export default async function setup(): Promise<() => void> {
  if (process.env[TEST_POSTGRES_URL_VAR]) return () => {};
  const server = await startPostgresServer();
  // Test workers are started after this and inherit the environment.
  process.env[TEST_POSTGRES_URL_VAR] = server.url;
  return () => server.stop();
}
