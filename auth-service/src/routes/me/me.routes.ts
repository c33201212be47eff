import { z } from '@hono/zod-openapi';
import { exportDocumentSchema } from '../../account/export-document.ts';
import { defineRoute } from '../../http/define-route.ts';
import { jsonContent } from '../../http/error-responses.ts';
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
const jsonBody = <T>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const mySessionsSchema = z
  .object({ sessions: z.array(sessionResponseSchema), next_cursor: z.string().nullable() })
  .openapi('MySessions');

export const mySessionsRoute = defineRoute({
  method: 'get',
  path: '/me/sessions',
  tags,
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
  },
  policy: { auth: 'signed_in', rateLimit: 'general', errors: ['cursor_invalid'] },
});

// --- preferences (what the assistant remembers); guests have none -------------------------------

export const listPreferencesRoute = defineRoute({
  method: 'get',
  path: '/me/preferences',
  tags,
  summary: 'What the assistant remembers about you, by key',
  responses: {
    200: jsonContent(preferencesSchema, 'Your preferences'),
  },
  policy: { auth: 'member', rateLimit: 'general', errors: [] },
});

export const putPreferenceRoute = defineRoute({
  method: 'put',
  path: '/me/preferences/{key}',
  tags,
  summary:
    'Save a preference (the key is normalised the way the assistant does); replaces an earlier value',
  request: { params: preferenceKeyParams, body: jsonBody(preferenceBodySchema) },
  responses: {
    200: jsonContent(preferenceSchema, 'The saved preference'),
  },
  policy: { auth: 'member', rateLimit: 'general', errors: ['preference_limit'] },
});

export const deletePreferenceRoute = defineRoute({
  method: 'delete',
  path: '/me/preferences/{key}',
  tags,
  summary: 'Make the assistant forget one preference',
  request: { params: preferenceKeyParams },
  responses: { 204: { description: 'Forgotten' } },
  policy: { auth: 'member', rateLimit: 'general', errors: ['preference_not_found'] },
});

// --- conversation history ---------------------------------------------------------------------

export const historyRoute = defineRoute({
  method: 'get',
  path: '/me/history',
  tags,
  summary: 'Your conversations with the assistant, grouped by session, the latest first',
  request: { query: historyQuerySchema },
  responses: {
    200: jsonContent(historySchema, 'One page of conversations'),
  },
  policy: { auth: 'signed_in', rateLimit: 'general', errors: ['cursor_invalid'] },
});

export const deleteHistoryRoute = defineRoute({
  method: 'delete',
  path: '/me/history',
  tags,
  summary: 'Delete every conversation turn stored for you (preferences stay)',
  responses: { 204: { description: 'Deleted' } },
  policy: { auth: 'signed_in', rateLimit: 'general', errors: [] },
});

// --- the account ------------------------------------------------------------------------------

export const exportRoute = defineRoute({
  method: 'get',
  path: '/me/export',
  tags,
  summary: 'Everything stored about you, as one JSON document (a download)',
  responses: {
    200: {
      description: 'The export, with Content-Disposition: attachment',
      headers: z.object({ 'Content-Disposition': z.string() }),
      content: { 'application/json': { schema: exportDocumentSchema } },
    },
  },
  policy: { auth: 'signed_in', rateLimit: 'general', errors: [] },
});

export const deleteAccountRoute = defineRoute({
  method: 'delete',
  path: '/me',
  tags,
  summary: 'Delete your account and everything stored about you; needs your password',
  request: { body: jsonBody(deleteAccountBodySchema) },
  responses: { 204: { description: 'Deleted' } },
  // Checks the caller's password: the sign-in class, counted per user too.
  policy: {
    auth: 'signed_in',
    rateLimit: 'auth',
    errors: ['invalid_credentials', 'login_throttled'],
  },
});

export const changePasswordRoute = defineRoute({
  method: 'post',
  path: '/me/password',
  tags,
  summary: 'Change your password; signs out every other device',
  request: { body: jsonBody(passwordChangeBodySchema) },
  responses: {
    204: { description: 'Changed; this device stays signed in' },
  },
  // Checks the caller's password: the sign-in class, counted per user too.
  policy: {
    auth: 'signed_in',
    rateLimit: 'auth',
    errors: ['invalid_credentials', 'login_throttled'],
  },
});

// --- signed-in devices ------------------------------------------------------------------------

export const devicesRoute = defineRoute({
  method: 'get',
  path: '/me/devices',
  tags,
  summary: 'The devices signed in to your account',
  responses: {
    200: jsonContent(devicesSchema, 'Live refresh-token families, last used first'),
  },
  policy: { auth: 'signed_in', rateLimit: 'general', errors: [] },
});

export const deleteDeviceRoute = defineRoute({
  method: 'delete',
  path: '/me/devices/{id}',
  tags,
  summary: 'Sign one of your devices out',
  request: { params: deviceIdParams },
  responses: { 204: { description: 'Signed out' } },
  policy: { auth: 'signed_in', rateLimit: 'general', errors: ['device_not_found'] },
});
