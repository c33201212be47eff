import { randomUUID } from 'node:crypto';
import { z } from '@hono/zod-openapi';

export const roomNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'room_name must be 1 to 64 letters, digits, "-" or "_"');

/**
 * A server-chosen room name with 122 random bits (a v4 UUID without dashes): nobody can guess
 * another user's room. randomUUID draws from a batched entropy buffer, cheaper per call than
 * randomBytes on the token-minting path.
 */
export function newRoomName(): string {
  return `attune-${randomUUID().replaceAll('-', '')}`;
}
