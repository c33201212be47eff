import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses, jsonContent } from '../../http/error-responses.ts';
import { pageQuerySchema } from '../../sessions/page-cursor.ts';
import { sessionResponseSchema } from '../../sessions/session-response.ts';

export const mySessionsSchema = z
  .object({ sessions: z.array(sessionResponseSchema), next_cursor: z.string().nullable() })
  .openapi('MySessions');

export const mySessionsRoute = createRoute({
  method: 'get',
  path: '/me/sessions',
  tags: ['me'],
  security: [{ bearerAuth: [] }],
  summary: 'Your voice sessions, newest first, with their durations',
  request: { query: z.strictObject(pageQuerySchema) },
  responses: { 200: jsonContent(mySessionsSchema, 'One page of your sessions'), ...errorResponses(400, 401) },
});
