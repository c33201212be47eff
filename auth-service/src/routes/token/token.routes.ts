import { z } from '@hono/zod-openapi';
import { defineRoute } from '../../http/define-route.ts';
import { jsonContent } from '../../http/error-responses.ts';
import { roomNameSchema } from '../../livekit/room-name.ts';
import { roomSessionSchema } from '../../livekit/room-session.ts';
import { displayNameSchema } from '../../users/display-name.ts';

/**
 * LiveKit's standard token-endpoint request. The server decides identity, grants and dispatch:
 * `participant_identity` may only repeat the caller's id, `room_config` may only ask for the
 * Attune agent, and the fields a client may never set (metadata, attributes) are refused.
 */
export const tokenBodySchema = z
  .strictObject({
    room_name: roomNameSchema
      .optional()
      .describe('A room you own or a new name; omit for a fresh room'),
    participant_name: displayNameSchema('participant_name')
      .optional()
      .describe('Display name in the room; defaults to your full name'),
    participant_identity: z
      .string()
      .max(128)
      .optional()
      .describe('Must be your user id if sent: the identity is always set by the server'),
    room_config: z
      .strictObject({
        agents: z
          .array(z.strictObject({ agent_name: z.string().max(128) }))
          .max(1)
          .optional(),
      })
      .optional()
      .describe(
        'Sent by LiveKit client SDKs; may only name the Attune agent, which every token dispatches anyway',
      ),
  })
  .openapi('TokenRequest');

export const tokenResponseSchema = roomSessionSchema
  .extend({
    server_url: z.string().describe('LiveKit standard token-endpoint field (same as livekit_url)'),
    participant_token: z
      .string()
      .describe('LiveKit standard token-endpoint field (same as livekit_token)'),
  })
  .openapi('TokenResponse');

export const tokenRoute = defineRoute({
  method: 'post',
  path: '/auth/token',
  tags: ['livekit'],
  summary: 'Mint a LiveKit token for one room, dispatching the Attune agent into it',
  request: {
    body: { required: false, content: { 'application/json': { schema: tokenBodySchema } } },
  },
  responses: {
    201: jsonContent(
      tokenResponseSchema,
      'Token minted; a user_sessions row with status issued records it',
    ),
  },
  policy: {
    auth: 'signed_in',
    rateLimit: 'token',
    errors: [
      'identity_forbidden',
      'agent_forbidden',
      'room_forbidden',
      'session_limit',
      // Only with REQUIRE_EMAIL_VERIFICATION, for an account that has not confirmed its address.
      'email_unverified',
    ],
  },
});
