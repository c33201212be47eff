import { z } from '@hono/zod-openapi';
import { SESSION_STATUSES, USER_ROLES, USER_STATUSES } from '@attune/db';
import { defineRoute } from '../../http/define-route.ts';
import { jsonContent } from '../../http/error-responses.ts';
import { pageQuerySchema } from '../../sessions/page-cursor.ts';
import { instantSchema } from '../../sessions/period.ts';
import { sessionResponseSchema } from '../../sessions/session-response.ts';
import { userResponseSchema } from '../../users/user-response.ts';

const tags = ['admin'];
const idParam = z.object({ id: z.string().min(1).max(64) });

export const removalReportSchema = z
  .object({
    removed: z.array(z.object({ roomName: z.string(), identity: z.string() })),
    notInRoom: z.array(z.object({ roomName: z.string(), identity: z.string() })),
    failed: z.array(z.object({ roomName: z.string(), identity: z.string(), error: z.string() })),
  })
  .openapi('LiveKitRemoval')
  .describe(
    'What LiveKit said when the participants were removed from their rooms; failures are listed, never hidden',
  );

export const listUsersRoute = defineRoute({
  method: 'get',
  path: '/admin/users',
  tags,
  summary: 'Users, newest first, a page at a time; search by email or name',
  request: {
    query: z.strictObject({
      search: z.string().min(1).max(100).optional(),
      role: z.enum(USER_ROLES).optional(),
      status: z.enum(USER_STATUSES).optional(),
      ...pageQuerySchema,
    }),
  },
  responses: {
    200: jsonContent(
      z.object({ users: z.array(userResponseSchema), next_cursor: z.string().nullable() }),
      'One page',
    ),
  },
  policy: {
    auth: 'signed_in',
    roles: ['admin', 'moderator'],
    rateLimit: 'general',
    errors: ['cursor_invalid'],
  },
});

export const updateUserRoute = defineRoute({
  method: 'patch',
  path: '/admin/users/{id}',
  tags,
  summary:
    'Change a user’s role or status; suspending revokes their devices and removes them from live rooms. Moderators may change the status of users, analysts and guests only',
  request: {
    params: idParam,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .strictObject({
              role: z.enum(USER_ROLES).optional(),
              status: z.enum(USER_STATUSES).optional(),
            })
            .refine(
              (b) => b.role !== undefined || b.status !== undefined,
              'set role, status or both',
            ),
        },
      },
    },
  },
  responses: {
    200: jsonContent(
      z.object({ user: userResponseSchema, livekit: removalReportSchema.nullable() }),
      'Updated',
    ),
  },
  policy: {
    auth: 'signed_in',
    roles: ['admin', 'moderator'],
    rateLimit: 'general',
    errors: ['user_not_found', 'cannot_change_self', 'guest_role_fixed', 'last_admin'],
  },
});

export const deleteUserRoute = defineRoute({
  method: 'delete',
  path: '/admin/users/{id}',
  tags,
  summary: 'Delete a user and every row that refers to them; removes them from live rooms first',
  request: { params: idParam },
  responses: {
    200: jsonContent(
      z.object({ deleted: z.literal(true), livekit: removalReportSchema }),
      'Deleted',
    ),
  },
  policy: {
    auth: 'signed_in',
    roles: ['admin'],
    rateLimit: 'general',
    errors: ['user_not_found', 'cannot_change_self', 'last_admin'],
  },
});

export const listSessionsRoute = defineRoute({
  method: 'get',
  path: '/admin/sessions',
  tags,
  summary: 'Sessions, newest first: active ones by default, or any status',
  request: {
    query: z.strictObject({
      status: z.enum(SESSION_STATUSES).optional(),
      recent: z.enum(['true', 'false']).default('false'),
      ...pageQuerySchema,
    }),
  },
  responses: {
    200: jsonContent(
      z.object({ sessions: z.array(sessionResponseSchema), next_cursor: z.string().nullable() }),
      'One page',
    ),
  },
  policy: {
    auth: 'signed_in',
    roles: ['admin', 'moderator'],
    rateLimit: 'general',
    errors: ['cursor_invalid'],
  },
});

export const terminateSessionRoute = defineRoute({
  method: 'post',
  path: '/admin/sessions/{id}/terminate',
  tags,
  summary:
    'End a session now: the participant is removed from the room and the user’s devices are signed out',
  request: { params: idParam },
  responses: {
    200: jsonContent(
      z.object({ session: sessionResponseSchema, livekit: removalReportSchema }),
      'Terminated',
    ),
  },
  policy: {
    auth: 'signed_in',
    roles: ['admin', 'moderator'],
    rateLimit: 'general',
    errors: ['session_not_found', 'session_not_live'],
  },
});

export const statsRoute = defineRoute({
  method: 'get',
  path: '/admin/stats',
  tags,
  summary: 'Counts of users and sessions',
  responses: {
    200: jsonContent(
      z.object({
        users: z.object({
          total: z.number(),
          by_role: z.record(z.string(), z.number()),
          suspended: z.number(),
        }),
        sessions: z.object({
          active: z.number(),
          started_last_24h: z.number(),
          ended_last_24h: z.number(),
          mean_seconds_last_7d: z.number().nullable(),
        }),
        tokens_minted_last_24h: z.number(),
      }),
      'Stats',
    ),
  },
  policy: { auth: 'signed_in', roles: ['admin'], rateLimit: 'general', errors: [] },
});

export const auditRoute = defineRoute({
  method: 'get',
  path: '/admin/audit',
  tags,
  summary: 'The audit log, newest first, filterable by action, user and period',
  request: {
    query: z.strictObject({
      action: z.string().min(1).max(64).optional(),
      user: z.string().min(1).max(64).optional(),
      from: instantSchema.optional(),
      to: instantSchema.optional(),
      limit: pageQuerySchema.limit,
      cursor: z.coerce
        .number()
        .int()
        .positive()
        .optional()
        .describe('next_cursor from the previous page'),
    }),
  },
  responses: {
    200: jsonContent(
      z.object({
        entries: z.array(
          z.object({
            id: z.number(),
            at: z.string(),
            actor_id: z.string().nullable(),
            action: z.string(),
            target: z.string().nullable(),
            ip: z.string().nullable(),
            detail: z.unknown().nullable(),
          }),
        ),
        next_cursor: z.number().nullable(),
      }),
      'One page',
    ),
  },
  policy: {
    auth: 'signed_in',
    roles: ['admin', 'moderator'],
    rateLimit: 'general',
    errors: ['period_invalid'],
  },
});
