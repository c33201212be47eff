import { z } from '@hono/zod-openapi';
import type { HistoryCursor } from '@attune/db';
import { ApiError } from '../http/api-error.ts';

const cursorSchema = z.strictObject({ startedAt: z.number().int().nonnegative(), key: z.string().max(64) });

/** An opaque history page token: where the previous page stopped. */
export function encodeHistoryCursor(cursor: HistoryCursor | null): string | null {
  return cursor === null ? null : Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeHistoryCursor(text: string | undefined): HistoryCursor | undefined {
  if (text === undefined) return undefined;
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw new ApiError(400, 'cursor_invalid', 'cursor is not one this API handed out; start again without it');
  }
}
