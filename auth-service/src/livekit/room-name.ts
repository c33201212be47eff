import { randomBytes } from 'node:crypto';
import { z } from '@hono/zod-openapi';

export const roomNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'room_name must be 1 to 64 letters, digits, "-" or "_"');

/** A server-chosen room name with 128 random bits: nobody can guess another user's room. */
export function newRoomName(): string {
  return `attune-${randomBytes(16).toString('base64url')}`;
}
