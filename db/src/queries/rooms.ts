import { eq, sql } from 'drizzle-orm';
import type { Db } from '../open-database.ts';
import { prepared } from '../prepared.ts';
import { rooms } from '../schema.ts';

const insertRoomIfFree = (db: Db) =>
  db
    .insert(rooms)
    .values({
      name: sql.placeholder('name'),
      ownerId: sql.placeholder('ownerId'),
      createdAt: sql.placeholder('nowMs'),
    })
    .onConflictDoNothing({ target: rooms.name })
    .prepare();

const roomOwner = (db: Db) =>
  db
    .select({ ownerId: rooms.ownerId })
    .from(rooms)
    .where(eq(rooms.name, sql.placeholder('name')))
    .prepare();

/**
 * Makes `ownerId` the owner of room `name` if nobody owns it yet. Returns true when the
 * caller owns the room afterwards (new or already theirs), false when another user does.
 * Run it inside a transaction with whatever it guards.
 */
export function claimRoom(db: Db, name: string, ownerId: string, nowMs: number): boolean {
  if (prepared(db, insertRoomIfFree).run({ name, ownerId, nowMs }).changes === 1) return true;
  return prepared(db, roomOwner).get({ name })?.ownerId === ownerId;
}
