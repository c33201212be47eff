import { z } from '@hono/zod-openapi';
import type { SessionPageCursor } from '@attune/db';
import { opaqueCursor } from '../http/opaque-cursor.ts';

const pageCursor = opaqueCursor<SessionPageCursor>(
  z.strictObject({ issuedAt: z.number().int().nonnegative(), id: z.string().min(1).max(64) }),
);

/** An opaque page token: where the previous page stopped. */
export const encodePageCursor = pageCursor.encode;
export const decodePageCursor = pageCursor.decode;

export const pageQuerySchema = {
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('Sessions per page (1–500)'),
  cursor: z.string().max(512).optional().describe('next_cursor from the previous page'),
};
