import { createRoute } from '@hono/zod-openapi';
import { errorResponses, jsonContent } from '../../http/error-responses.ts';
import { userResponseSchema } from '../../users/user-response.ts';
import {
  loginBodySchema,
  logoutBodySchema,
  refreshBodySchema,
  refreshCookieHeadersSchema,
  refreshedSchema,
  registerBodySchema,
  signedInSchema,
} from './auth.schemas.ts';

const tags = ['auth'];
const bearer = [{ bearerAuth: [] }];

export const registerRoute = createRoute({
  method: 'post',
  path: '/auth/register',
  tags,
  summary: 'Create an account; answers with credentials and a LiveKit token for a fresh room',
  request: {
    headers: refreshCookieHeadersSchema,
    body: { required: true, content: { 'application/json': { schema: registerBodySchema } } },
  },
  responses: {
    201: jsonContent(signedInSchema, 'Account created and signed in'),
    ...errorResponses(400, 409, 413, 415),
  },
});

export const loginRoute = createRoute({
  method: 'post',
  path: '/auth/login',
  tags,
  summary: 'Sign in; answers with credentials and a LiveKit token for a fresh room',
  request: {
    headers: refreshCookieHeadersSchema,
    body: { required: true, content: { 'application/json': { schema: loginBodySchema } } },
  },
  responses: {
    200: jsonContent(signedInSchema, 'Signed in'),
    ...errorResponses(400, 401, 413, 415),
  },
});

export const refreshRoute = createRoute({
  method: 'post',
  path: '/auth/refresh',
  tags,
  summary: 'Exchange a refresh token for a new access token and a new refresh token (rotation)',
  request: {
    headers: refreshCookieHeadersSchema,
    body: { required: true, content: { 'application/json': { schema: refreshBodySchema } } },
  },
  responses: {
    200: jsonContent(refreshedSchema, 'New credentials; the presented refresh token is spent'),
    ...errorResponses(400, 401, 413, 415),
  },
});

export const logoutRoute = createRoute({
  method: 'post',
  path: '/auth/logout',
  tags,
  security: bearer,
  summary:
    'Sign this device out (revokes its refresh-token family), or every device with {"everywhere": true}',
  request: {
    headers: refreshCookieHeadersSchema,
    body: { required: false, content: { 'application/json': { schema: logoutBodySchema } } },
  },
  responses: {
    204: { description: 'Signed out' },
    ...errorResponses(400, 401, 413, 415),
  },
});

export const meRoute = createRoute({
  method: 'get',
  path: '/auth/me',
  tags,
  security: bearer,
  summary: 'The signed-in user',
  responses: {
    200: jsonContent(userResponseSchema, 'The caller'),
    ...errorResponses(401),
  },
});
