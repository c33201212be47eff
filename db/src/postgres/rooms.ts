import { eq } from 'drizzle-orm';
import { rooms } from '../schema.pg.ts';
import type { PgTx } from './transaction.ts';

/**
 * PostgreSQL's `claimRoom`, inside the caller's unit. Of two users claiming one free room at once,
 * the second insert waits on the primary key for the first's commit, then inserts nothing and
 * reads the winner as owner: exactly one owns it.
 */
export async function claimRoomPg(
  tx: PgTx,
  name: string,
  ownerId: string,
  nowMs: number,
): Promise<boolean> {
  const inserted = await tx
    .insert(rooms)
    .values({ name, ownerId, createdAt: nowMs })
    .onConflictDoNothing({ target: rooms.name })
    .returning({ name: rooms.name });
  if (inserted.length === 1) return true;
  const [room] = await tx
    .select({ ownerId: rooms.ownerId })
    .from(rooms)
    .where(eq(rooms.name, name));
  return room?.ownerId === ownerId;
}
