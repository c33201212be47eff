import { defineRoute } from '../../http/define-route.ts';
import { jsonContent } from '../../http/error-responses.ts';
import { userResponseSchema } from '../../users/user-response.ts';
import {
  loginBodySchema,
  logoutBodySchema,
  refreshBodySchema,
  refreshCookieHeadersSchema,
  refreshedSchema,
  registerBodySchema,
  signedInSchema,
  updateMeBodySchema,
} from './auth.schemas.ts';

const tags = ['auth'];

export const registerRoute = defineRoute({
  method: 'post',
  path: '/auth/register',
  tags,
  summary:
    'Create an account (as REGISTRATION allows); answers with credentials and a LiveKit token for a fresh room, and mails a link to confirm the address',
  request: {
    headers: refreshCookieHeadersSchema,
    body: { required: true, content: { 'application/json': { schema: registerBodySchema } } },
  },
  responses: {
    201: jsonContent(signedInSchema, 'Account created and signed in'),
  },
  policy: {
    auth: 'public',
    rateLimit: 'auth',
    errors: ['email_taken', 'registration_closed', 'invitation_required', 'user_limit'],
  },
});

export const loginRoute = defineRoute({
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
  },
  policy: {
    auth: 'public',
    rateLimit: 'auth',
    errors: ['invalid_credentials', 'account_suspended', 'login_throttled'],
  },
});

export const refreshRoute = defineRoute({
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
  },
  policy: {
    auth: 'public',
    rateLimit: 'refresh',
    errors: ['refresh_token_missing', 'invalid_refresh_token'],
  },
});

export const logoutRoute = defineRoute({
  method: 'post',
  path: '/auth/logout',
  tags,
  summary:
    'Sign this device out (revokes its refresh-token family), or every device with {"everywhere": true}',
  request: {
    headers: refreshCookieHeadersSchema,
    body: { required: false, content: { 'application/json': { schema: logoutBodySchema } } },
  },
  responses: {
    204: { description: 'Signed out' },
  },
  policy: { auth: 'signed_in', rateLimit: 'general', errors: [] },
});

export const meRoute = defineRoute({
  method: 'get',
  path: '/auth/me',
  tags,
  summary: 'The signed-in user',
  responses: {
    200: jsonContent(userResponseSchema, 'The caller'),
  },
  policy: { auth: 'signed_in', rateLimit: 'general', errors: [] },
});

export const updateMeRoute = defineRoute({
  method: 'patch',
  path: '/auth/me',
  tags,
  summary:
    'Change your name, or your email (needs current_password; the new address must be confirmed through the link mailed to it, and the old one is told)',
  request: {
    body: { required: true, content: { 'application/json': { schema: updateMeBodySchema } } },
  },
  responses: {
    200: jsonContent(userResponseSchema, 'The caller, changed; a new email shows in pending_email'),
  },
  // Checks the caller's password: the sign-in class, counted per user too.
  policy: {
    auth: 'member',
    rateLimit: 'auth',
    errors: ['invalid_password', 'login_throttled', 'email_taken'],
  },
});
