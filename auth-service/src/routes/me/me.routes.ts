import { createRoute, z } from '@hono/zod-openapi';
import { exportDocumentSchema } from '../../account/export-document.ts';
import { errorResponses, jsonContent } from '../../http/error-responses.ts';
import { pageQuerySchema } from '../../sessions/page-cursor.ts';
import { sessionResponseSchema } from '../../sessions/session-response.ts';
import {
  deleteAccountBodySchema,
  deviceIdParams,
  devicesSchema,
  historyQuerySchema,
  historySchema,
  passwordChangeBodySchema,
  preferenceBodySchema,
  preferenceKeyParams,
  preferenceSchema,
  preferencesSchema,
} from './me.schemas.ts';

const tags = ['me'];
const security = [{ bearerAuth: [] }];
const jsonBody = <T>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const mySessionsSchema = z
  .object({ sessions: z.array(sessionResponseSchema), next_cursor: z.string().nullable() })
  .openapi('MySessions');

export const mySessionsRoute = createRoute({
  method: 'get',
  path: '/me/sessions',
  tags,
  security,
  summary: 'Your voice sessions, newest first, with their durations',
  request: {
    query: z.strictObject({
      ...pageQuerySchema,
      joined: z
        .enum(['true', 'false'])
        .default('false')
        .transform((value) => value === 'true')
        .describe('true: only sessions someone joined, leaving out tokens that were never used'),
    }),
  },
  responses: {
    200: jsonContent(mySessionsSchema, 'One page of your sessions'),
    ...errorResponses(400, 401),
  },
});

// --- preferences (what the assistant remembers); guests have none -------------------------------

export const listPreferencesRoute = createRoute({
  method: 'get',
  path: '/me/preferences',
  tags,
  security,
  summary: 'What the assistant remembers about you, by key',
  responses: {
    200: jsonContent(preferencesSchema, 'Your preferences'),
    ...errorResponses(401, 403),
  },
});

export const putPreferenceRoute = createRoute({
  method: 'put',
  path: '/me/preferences/{key}',
  tags,
  security,
  summary:
    'Save a preference (the key is normalised the way the assistant does); replaces an earlier value',
  request: { params: preferenceKeyParams, body: jsonBody(preferenceBodySchema) },
  responses: {
    200: jsonContent(preferenceSchema, 'The saved preference'),
    ...errorResponses(400, 401, 403, 409, 413, 415),
  },
});

export const deletePreferenceRoute = createRoute({
  method: 'delete',
  path: '/me/preferences/{key}',
  tags,
  security,
  summary: 'Make the assistant forget one preference',
  request: { params: preferenceKeyParams },
  responses: { 204: { description: 'Forgotten' }, ...errorResponses(400, 401, 403, 404) },
});

// --- conversation history ---------------------------------------------------------------------

export const historyRoute = createRoute({
  method: 'get',
  path: '/me/history',
  tags,
  security,
  summary: 'Your conversations with the assistant, grouped by session, the latest first',
  request: { query: historyQuerySchema },
  responses: {
    200: jsonContent(historySchema, 'One page of conversations'),
    ...errorResponses(400, 401),
  },
});

export const deleteHistoryRoute = createRoute({
  method: 'delete',
  path: '/me/history',
  tags,
  security,
  summary: 'Delete every conversation turn stored for you (preferences stay)',
  responses: { 204: { description: 'Deleted' }, ...errorResponses(401) },
});

// --- the account ------------------------------------------------------------------------------

export const exportRoute = createRoute({
  method: 'get',
  path: '/me/export',
  tags,
  security,
  summary: 'Everything stored about you, as one JSON document (a download)',
  responses: {
    200: {
      description: 'The export, with Content-Disposition: attachment',
      headers: z.object({ 'Content-Disposition': z.string() }),
      content: { 'application/json': { schema: exportDocumentSchema } },
    },
    ...errorResponses(401),
  },
});

export const deleteAccountRoute = createRoute({
  method: 'delete',
  path: '/me',
  tags,
  security,
  summary: 'Delete your account and everything stored about you; needs your password',
  request: { body: jsonBody(deleteAccountBodySchema) },
  responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 401, 413, 415) },
});

export const changePasswordRoute = createRoute({
  method: 'post',
  path: '/me/password',
  tags,
  security,
  summary: 'Change your password; signs out every other device',
  request: { body: jsonBody(passwordChangeBodySchema) },
  responses: {
    204: { description: 'Changed; this device stays signed in' },
    ...errorResponses(400, 401, 413, 415),
  },
});

// --- signed-in devices ------------------------------------------------------------------------

export const devicesRoute = createRoute({
  method: 'get',
  path: '/me/devices',
  tags,
  security,
  summary: 'The devices signed in to your account',
  responses: {
    200: jsonContent(devicesSchema, 'Live refresh-token families, last used first'),
    ...errorResponses(401),
  },
});

export const deleteDeviceRoute = createRoute({
  method: 'delete',
  path: '/me/devices/{id}',
  tags,
  security,
  summary: 'Sign one of your devices out',
  request: { params: deviceIdParams },
  responses: { 204: { description: 'Signed out' }, ...errorResponses(400, 401, 404) },
});
