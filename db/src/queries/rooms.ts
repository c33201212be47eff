import { eq } from 'drizzle-orm';
import type { Db } from '../open-database.ts';
import { rooms } from '../schema.ts';

/**
 * Makes `ownerId` the owner of room `name` if nobody owns it yet. Returns true when the
 * caller owns the room afterwards (new or already theirs), false when another user does.
 */
export function claimRoom(db: Db, name: string, ownerId: string, nowMs: number): boolean {
  db.insert(rooms).values({ name, ownerId, createdAt: nowMs }).onConflictDoNothing({ target: rooms.name }).run();
  const room = db.select({ ownerId: rooms.ownerId }).from(rooms).where(eq(rooms.name, name)).get();
  return room?.ownerId === ownerId;
}
