import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses, jsonContent } from '../../http/error-responses.ts';
import { roomNameSchema } from '../../livekit/room-name.ts';
import { roomSessionSchema } from '../../livekit/room-session.ts';

export const tokenBodySchema = z
  .strictObject({
    room_name: roomNameSchema.optional().describe('A room you own or a new name; omit for a fresh room'),
    participant_name: z
      .string()
      .trim()
      .min(1, 'participant_name must not be empty')
      .max(100, 'participant_name must be at most 100 characters')
      .optional()
      .describe('Display name in the room; defaults to your full name'),
  })
  .openapi('TokenRequest');

export const tokenResponseSchema = roomSessionSchema
  .extend({
    server_url: z.string().describe('LiveKit standard token-endpoint field (same as livekit_url)'),
    participant_token: z.string().describe('LiveKit standard token-endpoint field (same as livekit_token)'),
  })
  .openapi('TokenResponse');

export const tokenRoute = createRoute({
  method: 'post',
  path: '/auth/token',
  tags: ['livekit'],
  security: [{ bearerAuth: [] }],
  summary: 'Mint a LiveKit token for one room, dispatching the Attune agent into it',
  request: { body: { required: false, content: { 'application/json': { schema: tokenBodySchema } } } },
  responses: {
    201: jsonContent(tokenResponseSchema, 'Token minted; a user_sessions row with status issued records it'),
    ...errorResponses(400, 401, 403, 413, 415),
  },
});
