/**
 * Which test files run on which database engine. Every file runs on SQLite (the default). The
 * auth service's files run a second time on PostgreSQL (ATTUNE_TEST_ENGINE=postgres), except
 * these: each seeds or inspects rows through the SQLite handle (`server.database`, the synchronous
 * queries), which a PostgreSQL-backed server does not have. Their routes' data access is the same
 * store either way, and the store's units have contract tests on both engines (db/src/store/);
 * moving their seeding onto `server.store` takes a file off this list.
 */
export const SQLITE_ONLY_SERVICE_TESTS = [
  'auth-service/src/audit/audit.test.ts',
  'auth-service/src/auth/lockout.test.ts',
  'auth-service/src/http/bad-input.test.ts',
  'auth-service/src/http/client-ip.test.ts',
  'auth-service/src/http/permission-matrix.test.ts',
  'auth-service/src/http/utf8-body.test.ts',
  'auth-service/src/routes/admin/admin-accounts.test.ts',
  'auth-service/src/routes/admin/admin-moderator.test.ts',
  'auth-service/src/routes/admin/admin-operations.test.ts',
  'auth-service/src/routes/admin/admin.test.ts',
  'auth-service/src/routes/agent/agent.test.ts',
  'auth-service/src/routes/analytics/analytics.test.ts',
  'auth-service/src/routes/auth/auth.test.ts',
  'auth-service/src/routes/auth/profile.test.ts',
  'auth-service/src/routes/auth/registration.test.ts',
  'auth-service/src/routes/email/email-verification.test.ts',
  'auth-service/src/routes/guest/guest.test.ts',
  'auth-service/src/routes/livekit/livekit.test.ts',
  'auth-service/src/routes/me/me-account.test.ts',
  'auth-service/src/routes/me/me-isolation.test.ts',
  'auth-service/src/routes/me/me.test.ts',
  'auth-service/src/routes/password/password-reset.test.ts',
  'auth-service/src/routes/token/token.test.ts',
];

/** Files that test one engine's own machinery, not the service: the second pass skips them too. */
export const ENGINE_NEUTRAL_SERVICE_TESTS = [
  // The PostgreSQL rate-limit store and the config parser make their own databases and settings.
  'auth-service/src/http/postgres-counter-store.test.ts',
  'auth-service/src/config/**',
];
