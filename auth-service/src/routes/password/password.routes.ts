import { defineRoute } from '../../http/define-route.ts';
import { jsonContent } from '../../http/error-responses.ts';
import {
  acceptedSchema,
  forgotPasswordBodySchema,
  resetPasswordBodySchema,
} from './password.schemas.ts';

const tags = ['auth'];
const jsonBody = <T>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const forgotPasswordRoute = defineRoute({
  method: 'post',
  path: '/auth/password/forgot',
  tags,
  summary:
    'Ask for a password-reset link by mail (valid 30 minutes); the same answer whether or not the address has an account',
  request: { body: jsonBody(forgotPasswordBodySchema) },
  responses: {
    202: jsonContent(
      acceptedSchema,
      'Always this answer, at the same speed: the lookup and the mail happen after it (at most 3 links an hour per address)',
    ),
  },
  policy: { auth: 'public', rateLimit: 'auth', errors: [] },
});

export const resetPasswordRoute = defineRoute({
  method: 'post',
  path: '/auth/password/reset',
  tags,
  summary:
    'Set a new password with the token of a reset (or set-password) link; signs out every device',
  request: { body: jsonBody(resetPasswordBodySchema) },
  responses: {
    204: {
      description:
        'Password set; every device is signed out and failed sign-ins of the account are forgotten',
    },
  },
  policy: { auth: 'public', rateLimit: 'auth', errors: ['invalid_token'] },
});
