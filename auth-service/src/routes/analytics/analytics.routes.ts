import { z } from '@hono/zod-openapi';
import { REPORT_GROUPINGS, SESSION_STATUSES } from '@attune/db';
import { defineRoute } from '../../http/define-route.ts';
import { pageQuerySchema } from '../../sessions/page-cursor.ts';
import { instantSchema } from '../../sessions/period.ts';
import { sessionResponseSchema } from '../../sessions/session-response.ts';

const tokenCountsSchema = z
  .object({
    issued: z.number().int().describe('LiveKit tokens minted'),
    joined: z.number().int().describe('…that someone joined with'),
    expired: z.number().int().describe('…never used before they expired'),
    pending: z.number().int().describe('…not used yet, still valid'),
  })
  .openapi('TokenCounts');

const durationStatsSchema = z.object({
  sessions: z.number().int().describe('Ended sessions that started in the period'),
  total_seconds: z.number(),
  mean_seconds: z.number().nullable(),
  p50_seconds: z.number().nullable().describe('Percentiles interpolate linearly between ranks'),
  p90_seconds: z.number().nullable(),
  p99_seconds: z.number().nullable(),
  max_seconds: z.number().nullable(),
  tokens: tokenCountsSchema,
});

export const sessionReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    group_by: z.enum(REPORT_GROUPINGS),
    groups: z.array(
      durationStatsSchema.extend({
        key: z.string().describe('Day (YYYY-MM-DD, UTC), user id or room name'),
        label: z.string().nullable().describe('The user’s email when grouped by user'),
      }),
    ),
    overall: durationStatsSchema,
  })
  .openapi('SessionReport');

const filterQuery = {
  from: instantSchema
    .optional()
    .describe('Start of the period (inclusive); default 30 days before `to`'),
  to: instantSchema.optional().describe('End of the period (exclusive); default now'),
  user: z.string().min(1).max(64).optional().describe('Only this user id'),
  room: z.string().min(1).max(128).optional().describe('Only this room'),
  format: z.enum(['json', 'csv']).default('json'),
};

export const sessionReportRoute = defineRoute({
  method: 'get',
  path: '/analytics/sessions',
  tags: ['analytics'],
  summary:
    'Session durations per day, user or room: count, total, mean, p50, p90, p99, max, and token outcomes',
  request: {
    query: z.strictObject({ ...filterQuery, group_by: z.enum(REPORT_GROUPINGS).default('day') }),
  },
  responses: {
    200: {
      description:
        'The report (JSON, or CSV with format=csv: one row per group, then an overall row)',
      content: {
        'application/json': { schema: sessionReportSchema },
        'text/csv': { schema: z.string() },
      },
    },
  },
  policy: {
    auth: 'signed_in',
    roles: ['admin', 'analyst'],
    rateLimit: 'general',
    errors: ['period_invalid', 'reports_busy'],
  },
});

export const sessionListSchema = z
  .object({ sessions: z.array(sessionResponseSchema), next_cursor: z.string().nullable() })
  .openapi('SessionPage');

export const sessionListRoute = defineRoute({
  method: 'get',
  path: '/analytics/sessions/list',
  tags: ['analytics'],
  summary: 'Sessions minted in the period, newest first, a page at a time',
  request: {
    query: z.strictObject({
      ...filterQuery,
      status: z.enum(SESSION_STATUSES).optional(),
      ...pageQuerySchema,
    }),
  },
  responses: {
    200: {
      description: 'One page (JSON, or CSV with format=csv)',
      content: {
        'application/json': { schema: sessionListSchema },
        'text/csv': { schema: z.string() },
      },
    },
  },
  policy: {
    auth: 'signed_in',
    roles: ['admin', 'analyst'],
    rateLimit: 'general',
    errors: ['period_invalid', 'cursor_invalid'],
  },
});
