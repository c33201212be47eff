/**
 * SQLite answered BUSY: another process (the agent) held the write lock longer than this
 * connection would wait. Worth retrying, or answering 503; never a bug.
 */
export function isDatabaseBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}
