export { openDatabase, type AttuneDatabase, type Db } from './open-database.ts';
export { isDatabaseBusy } from './database-busy.ts';
export type { GroupCommit } from './group-commit.ts';
export * from './schema.ts';
export * from './queries/users.ts';
export * from './queries/rooms.ts';
export * from './queries/user-sessions.ts';
export * from './queries/refresh-tokens.ts';
