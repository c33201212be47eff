import { z } from '@hono/zod-openapi';
import { defineRoute } from '../../http/define-route.ts';
import { jsonContent } from '../../http/error-responses.ts';
import { removalReportSchema } from './admin.routes.ts';

const tags = ['admin'];

export const cleanupRoute = defineRoute({
  method: 'post',
  path: '/admin/cleanup',
  tags,
  summary: 'Run the periodic sweep now and say what it did',
  responses: {
    200: jsonContent(
      z.object({
        expired_sessions: z.number().int().describe('Tokens nobody joined with, now `expired`'),
        timed_out_sessions: z
          .number()
          .int()
          .describe('Sessions LiveKit never reported leaving, closed after SESSION_MAX_SECONDS'),
        guests_deleted: z.number().int(),
        pruned_webhook_events: z.number().int(),
        pruned_action_tokens: z.number().int().describe('Used or expired mailed links'),
        pruned_throttle_rows: z.number().int().describe('Login throttle rows past their window'),
        livekit: removalReportSchema
          .nullable()
          .describe('Deleted guests removed from their rooms; null when none was in a room'),
      }),
      'What the sweep did',
    ),
  },
  policy: { auth: 'signed_in', roles: ['admin'], rateLimit: 'general', errors: [] },
});

const liveParticipantSchema = z.object({
  identity: z.string(),
  name: z.string(),
  user_id: z
    .string()
    .nullable()
    .describe('The Attune user (the attune.user_id attribute, else a person’s identity)'),
  joined_at: z.string().nullable().describe('ISO 8601'),
  state: z.string().describe('joining, joined, active or disconnected'),
  kind: z.string().describe('standard (a person), agent, sip, ingress, egress…'),
});

export const liveRoomsRoute = defineRoute({
  method: 'get',
  path: '/admin/rooms',
  tags,
  summary: 'The rooms LiveKit holds now and who is in them, read from LiveKit itself',
  responses: {
    200: jsonContent(
      z
        .object({
          rooms: z.array(
            z.object({
              name: z.string(),
              created_at: z.string().nullable().describe('ISO 8601'),
              num_participants: z.number().int(),
              participants: z.array(liveParticipantSchema),
            }),
          ),
        })
        .openapi('LiveRooms'),
      'Live rooms, by name',
    ),
  },
  policy: {
    auth: 'signed_in',
    roles: ['admin', 'moderator'],
    rateLimit: 'general',
    errors: ['livekit_unavailable'],
  },
});
