import { z } from '@hono/zod-openapi';
import { defineRoute } from '../../http/define-route.ts';
import { jsonContent } from '../../http/error-responses.ts';
import { acceptedSchema, mailedTokenSchema } from '../password/password.schemas.ts';

const tags = ['auth'];

export const verifyEmailBodySchema = z
  .strictObject({
    token: mailedTokenSchema.describe(
      'from the link in the mail: the part after #token= of …/verify-email#token=…',
    ),
  })
  .openapi('VerifyEmailRequest');

export const verifyEmailRoute = defineRoute({
  method: 'post',
  path: '/auth/email/verify',
  tags,
  summary:
    'Confirm an address with the token of a verification link (valid 24 hours); a new address replaces the old one',
  request: {
    body: { required: true, content: { 'application/json': { schema: verifyEmailBodySchema } } },
  },
  responses: { 204: { description: 'Confirmed' } },
  policy: { auth: 'public', rateLimit: 'auth', errors: ['invalid_token', 'email_taken'] },
});

export const resendVerificationRoute = defineRoute({
  method: 'post',
  path: '/auth/email/verify/resend',
  tags,
  summary:
    'Mail a new verification link to the address waiting for one (a pending new address, else your unconfirmed one)',
  responses: {
    202: jsonContent(
      acceptedSchema,
      'Always this answer; the mail goes out after it (at most 3 links an hour per address), earlier links stop working',
    ),
  },
  policy: { auth: 'member', rateLimit: 'auth', errors: [] },
});
