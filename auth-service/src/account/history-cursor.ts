import { z } from '@hono/zod-openapi';
import type { HistoryCursor } from '@attune/db';
import { opaqueCursor } from '../http/opaque-cursor.ts';

const historyCursor = opaqueCursor<HistoryCursor>(
  z.strictObject({ startedAt: z.number().int().nonnegative(), key: z.string().max(64) }),
);

/** An opaque history page token: where the previous page stopped. */
export const encodeHistoryCursor = historyCursor.encode;
export const decodeHistoryCursor = historyCursor.decode;
