import { z } from '@hono/zod-openapi';
import type { SessionPageCursor } from '@attune/db';
import { ApiError } from '../http/api-error.ts';

const cursorSchema = z.strictObject({ issuedAt: z.number().int().nonnegative(), id: z.string().min(1).max(64) });

/** An opaque page token: where the previous page stopped. */
export function encodePageCursor(cursor: SessionPageCursor | null): string | null {
  return cursor === null ? null : Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodePageCursor(text: string | undefined): SessionPageCursor | undefined {
  if (text === undefined) return undefined;
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw new ApiError(400, 'cursor_invalid', 'cursor is not one this API handed out; start again without it');
  }
}

export const pageQuerySchema = {
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('Sessions per page (1–500)'),
  cursor: z.string().max(512).optional().describe('next_cursor from the previous page'),
};
