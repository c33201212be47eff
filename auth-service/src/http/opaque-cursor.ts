import type { z } from '@hono/zod-openapi';
import { apiError } from './error-catalog.ts';

/**
 * An opaque page token codec: where the previous page stopped, as base64url JSON checked against
 * `schema` when it comes back. A token that does not decode is a 400 `cursor_invalid`.
 */
export function opaqueCursor<T>(schema: z.ZodType<T>) {
  return {
    encode: (cursor: T | null): string | null =>
      cursor === null ? null : Buffer.from(JSON.stringify(cursor)).toString('base64url'),
    decode: (text: string | undefined): T | undefined => {
      if (text === undefined) return undefined;
      try {
        return schema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
      } catch {
        throw apiError('cursor_invalid');
      }
    },
  };
}
